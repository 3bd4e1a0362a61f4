/**
 * The signing keyset as this process sees it: loaded from the store, refreshed on a timer
 * (so rotations made by another instance or the CLI arrive) and on demand when a token names
 * a kid we do not know yet (at most once a second). Private keys are unsealed lazily.
 */
import { type CryptoKey, type JWK, type KeyObject, importJWK, importPKCS8 } from 'jose';
import type { Actor } from './context.js';
import type { Runtime } from './runtime.js';
import { audit } from './context.js';
import type { SecretBox } from './secret-box.js';
import { type SigningAlg, currentSigner, generateSigningKey, publishedKeys } from './signing-keys.js';
import type { SigningKeyRecord } from './model/signing-key.js';

export interface KeysetOptions {
  alg: SigningAlg;
  /** The longest lifetime of any token signed by these keys (how long a retired key stays published). */
  maxTokenTtlMs: number;
  refreshMs: number;
}

type Key = CryptoKey | KeyObject;
export interface Signer {
  kid: string;
  alg: string;
  key: Key;
}

export class Keyset {
  private records: SigningKeyRecord[] = [];
  private readonly publicKeys = new Map<string, Promise<Key>>();
  private readonly privateKeys = new Map<string, Promise<Key>>();
  private lastRefresh = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: Pick<Runtime, 'store' | 'clock'>,
    private readonly box: SecretBox,
    private readonly opts: KeysetOptions,
  ) {}

  /** Loads the keyset; the very first start of a deployment generates its first key. */
  async init(actor: Actor): Promise<void> {
    await this.refresh();
    if (this.records.length === 0) {
      const now = this.ctx.clock.now();
      const key = await generateSigningKey(this.opts.alg, this.box, now, now);
      await this.ctx.store.signingKeys.add(key, audit(this.ctx, actor, 'signing_key.create', key.kid, null, { alg: key.alg }));
      await this.refresh();
    }
  }

  start(onError: (err: unknown) => void): void {
    this.timer = setInterval(() => this.refresh().catch(onError), this.opts.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    this.lastRefresh = this.ctx.clock.now();
    this.records = await this.ctx.store.signingKeys.list();
  }

  /**
   * Publishes a new key now and makes it the signer after `delayMs`. The delay should exceed
   * how long resource servers cache the JWKS, so they know the key before they meet it.
   */
  async rotate(actor: Actor, delayMs: number, alg: SigningAlg = this.opts.alg): Promise<SigningKeyRecord> {
    await this.refresh();
    const now = this.ctx.clock.now();
    // Creation times order keys that activate in the same millisecond: the newest must win.
    const createdAt = Math.max(now, ...this.records.map((r) => r.createdAt + 1));
    const key = await generateSigningKey(alg, this.box, createdAt, now + delayMs);
    await this.ctx.store.signingKeys.add(key, audit(this.ctx, actor, 'signing_key.rotate', key.kid, null, { alg, activates_at: key.activatesAt }));
    await this.refresh();
    return key;
  }

  all(): readonly SigningKeyRecord[] {
    return this.records;
  }

  published(): SigningKeyRecord[] {
    return publishedKeys(this.records, this.ctx.clock.now(), this.opts.maxTokenTtlMs);
  }

  isPublished(kid: string): boolean {
    return this.published().some((k) => k.kid === kid);
  }

  /** Public JWKs for /.well-known/jwks.json. */
  jwks(): { keys: JWK[] } {
    return { keys: this.published().map((k) => JSON.parse(k.publicJwk) as JWK) };
  }

  async signer(): Promise<Signer> {
    const record = currentSigner(this.records, this.ctx.clock.now());
    if (!record) throw new Error('no active signing key');
    let key = this.privateKeys.get(record.kid);
    if (!key) {
      key = importPKCS8(this.box.open(record.privateSealed), record.alg);
      this.privateKeys.set(record.kid, key);
    }
    return { kid: record.kid, alg: record.alg, key: await key };
  }

  /** The public key for a published `kid` whose algorithm is exactly `alg`; undefined otherwise. */
  async verificationKey(kid: string, alg: string): Promise<Key | undefined> {
    let record = this.published().find((k) => k.kid === kid);
    if (!record && this.ctx.clock.now() - this.lastRefresh >= 1000) {
      await this.refresh();
      record = this.published().find((k) => k.kid === kid);
    }
    if (!record || record.alg !== alg) return undefined;
    let key = this.publicKeys.get(kid);
    if (!key) {
      key = importJWK(JSON.parse(record.publicJwk) as JWK, record.alg) as Promise<Key>;
      this.publicKeys.set(kid, key);
    }
    return key;
  }
}
