/**
 * Verifies `sk_…` secrets on the hot path:
 *  1. shape and checksum first: a forged or mistyped secret never reaches the store;
 *  2. an in-process cache of lookups (hits and misses), bounded in size and age;
 *  3. on a miss, one indexed read; never a write.
 * Revocations and rolls made by this process drop cache entries at once (`invalidate`).
 * Those made elsewhere (another instance, the CLI) arrive through the store's credential
 * events, polled every `pollMs` — that interval bounds how long another instance may
 * still accept a revoked key. Last-used times are batched and flushed off the hot path.
 */
import type { Clock } from './clock.js';
import { hashSecret, isWellFormedSecret } from './credentials.js';
import { unauthenticated } from './errors.js';
import type { Store } from '../store/store.js';
import type { ApiKeyRecord, KeyMatch } from './model/api-key.js';
import { LookupCache } from './lookup-cache.js';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';

export interface KeyVerifierOptions {
  prefix: string;
  cacheTtlMs: number;
  cacheMaxEntries: number;
  pollMs: number;
  usageFlushMs: number;
}

export const INVALID_KEY_DETAIL = 'Invalid, expired or revoked API key';

export class KeyVerifier {
  private readonly cache: LookupCache<KeyMatch>;
  private readonly listeners: Array<(id: string) => void> = [];
  private usage = new Map<string, number>();
  private lastSeq = 0;
  private timers: NodeJS.Timeout[] = [];
  private polling = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: KeyVerifierOptions,
    private readonly log: Logger,
  ) {
    this.cache = new LookupCache(opts.cacheTtlMs, opts.cacheMaxEntries, (m) => [m.key.id]);
  }

  /** The key behind `secret`, or a 401 GatehouseError. */
  async verify(secret: string): Promise<ApiKeyRecord> {
    if (!isWellFormedSecret(secret, this.opts.prefix)) throw unauthenticated(INVALID_KEY_DETAIL);
    const hash = hashSecret(secret);
    const now = this.clock.now();
    const match = await this.cache.get(hash, now, () => this.store.apiKeys.findBySecretHash(hash));
    if (!match) throw unauthenticated(INVALID_KEY_DETAIL);
    const { key, secret: s } = match;
    if (key.revokedAt !== null) throw unauthenticated(INVALID_KEY_DETAIL);
    if (key.expiresAt !== null && key.expiresAt <= now) throw unauthenticated(INVALID_KEY_DETAIL);
    if (s.expiresAt !== null && s.expiresAt <= now) throw unauthenticated(INVALID_KEY_DETAIL);
    this.usage.set(key.id, now);
    return key;
  }

  /** Drops every cached lookup for `id` (here and in subscribed caches, e.g. OAuth tokens). */
  invalidate(id: string): void {
    this.cache.invalidate(id);
    for (const listener of this.listeners) listener(id);
  }

  /** Other caches of revocable credentials follow the same invalidations and events. */
  subscribe(listener: (id: string) => void): void {
    this.listeners.push(listener);
  }

  /** Applies credential events written since the last poll (by any process). */
  async sync(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (;;) {
        const events = await this.store.events.since(this.lastSeq);
        for (const e of events) {
          this.invalidate(e.keyId);
          this.lastSeq = e.seq;
        }
        if (events.length < 1000) break;
      }
    } finally {
      this.polling = false;
    }
  }

  /** Writes batched last-used times. */
  async flushUsage(): Promise<void> {
    if (this.usage.size === 0) return;
    const batch = this.usage;
    this.usage = new Map();
    await this.store.apiKeys.recordUsage(batch);
  }

  async start(): Promise<void> {
    this.lastSeq = await this.store.events.latestSeq();
    const every = (ms: number, task: () => Promise<void>, what: string) => {
      const t = setInterval(() => {
        task().catch((err) => this.log.warn(`${what} failed`, describeError(err)));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.pollMs, () => this.sync(), 'credential event poll');
    every(this.opts.usageFlushMs, () => this.flushUsage(), 'usage flush');
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.flushUsage();
  }
}
