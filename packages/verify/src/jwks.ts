/**
 * The authorization server's public signing keys, from the `jwks_uri` of its metadata.
 *
 *  - Kept for `maxAgeMs` (default 5 minutes, the `max-age` Gatehouse sends), then refetched
 *    on the next use; if that refetch fails, the keys already known keep working.
 *  - A token naming a `kid` we do not know triggers one refetch, at most once per
 *    `cooldownMs`, so tokens with made-up kids cannot make us hammer the server.
 *  - Only allow-listed algorithms are accepted, and a key is only used with the algorithm it
 *    was published for (RFC 8725 §3.1): a token's `alg` header cannot pick another.
 */
import { type CryptoKey, type JWK, type KeyObject, importJWK } from 'jose';
import type { Discovery } from './discovery.js';
import { VerifierUnavailableError } from './errors.js';
import { fetchJson } from './discovery.js';

export const VERIFY_ALGS = ['ES256', 'EdDSA'] as const;
export type VerifyAlg = (typeof VERIFY_ALGS)[number];

export type PublicKey = CryptoKey | KeyObject | Uint8Array;

interface Entry {
  alg: string;
  /** The JWK as published, to keep an imported key across refetches when it did not change. */
  json: string;
  key: Promise<PublicKey> | undefined;
}

export interface JwksOptions {
  algorithms: readonly string[];
  maxAgeMs: number;
  cooldownMs: number;
  now: () => number;
  /** Called with the kids that left the set, so results verified with them can be dropped. */
  onKeysRemoved?: (kids: readonly string[]) => void;
}

/** RFC 7518 §3.4 and RFC 8037 §3.1: the algorithm a key without an `alg` member implies. */
function impliedAlg(jwk: JWK): string | undefined {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

export class JwksCache {
  private keys = new Map<string, Entry>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  /** How many times the key set was fetched (for operators and tests). */
  fetches = 0;

  constructor(
    private readonly discovery: Discovery,
    private readonly fetchFn: typeof fetch,
    private readonly opts: JwksOptions,
  ) {}

  /** The key for `kid` usable with `alg`, or undefined when there is none (an invalid token). */
  async key(kid: string | undefined, alg: string | undefined): Promise<PublicKey | undefined> {
    if (kid === undefined || alg === undefined || !this.opts.algorithms.includes(alg)) return undefined;
    const now = this.opts.now();
    await this.keepFresh(now);
    let entry = this.keys.get(kid);
    if (!entry && now - this.attemptedAt >= this.opts.cooldownMs) {
      await this.refresh(now, false);
      entry = this.keys.get(kid);
    }
    if (!entry || entry.alg !== alg) return undefined;
    if (!entry.key) {
      const pending = importJWK(JSON.parse(entry.json) as JWK, entry.alg) as Promise<PublicKey>;
      entry.key = pending;
      pending.catch(() => {
        if (entry) entry.key = undefined;
      });
    }
    return entry.key;
  }

  /** Refetches the set once it is older than `maxAgeMs` (keeping the old keys if that fails). */
  async keepFresh(now: number): Promise<void> {
    if (now - this.fetchedAt >= this.opts.maxAgeMs) await this.refresh(now, this.keys.size > 0);
  }

  /** One fetch at a time, however many requests wait on it. */
  private async refresh(now: number, keepStale: boolean): Promise<void> {
    if (!this.loading) {
      if (now - this.attemptedAt < this.opts.cooldownMs) {
        if (this.keys.size > 0) return;
        throw new VerifierUnavailableError('the signing keys could not be fetched; retrying after the cooldown');
      }
      this.attemptedAt = now;
      this.loading = this.load(now).finally(() => {
        this.loading = undefined;
      });
    }
    try {
      await this.loading;
    } catch (err) {
      if (!keepStale) throw err;
    }
  }

  private async load(now: number): Promise<void> {
    const { jwks_uri: uri } = await this.discovery.metadata();
    if (!uri) throw new VerifierUnavailableError('the authorization server metadata has no jwks_uri');
    this.fetches++;
    const doc = await fetchJson(this.fetchFn, uri);
    if (!Array.isArray(doc.keys)) throw new VerifierUnavailableError(`${uri} is not a JWK set`);
    const next = new Map<string, Entry>();
    for (const jwk of doc.keys as JWK[]) {
      if (typeof jwk !== 'object' || jwk === null || typeof jwk.kid !== 'string') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      const alg = jwk.alg ?? impliedAlg(jwk);
      if (alg === undefined || !this.opts.algorithms.includes(alg)) continue;
      const json = JSON.stringify(jwk);
      const known = this.keys.get(jwk.kid);
      next.set(jwk.kid, { alg, json, key: known?.json === json ? known.key : undefined });
    }
    const removed = [...this.keys.keys()].filter((kid) => next.get(kid)?.json !== this.keys.get(kid)?.json);
    this.keys = next;
    this.fetchedAt = now;
    if (removed.length > 0) this.opts.onKeysRemoved?.(removed);
  }
}
