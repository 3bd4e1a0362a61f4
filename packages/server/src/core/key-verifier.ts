/**
 * Verifies `sk_…` secrets on the hot path:
 *  1. shape and checksum first: a forged or mistyped secret never reaches the store;
 *  2. an in-process cache of lookups (hits and misses), bounded in size and age;
 *  3. on a miss, one indexed read; never a write.
 * The runtime subscribes `invalidate` to the `RevocationBus`, so a revocation or roll drops the
 * cached entry at once here and within the bus's bound elsewhere. Last-used times go to the
 * `UsageSink`, which batches them off the hot path.
 */
import type { Clock } from './clock.js';
import { hashSecret, isWellFormedSecret } from './credentials.js';
import { unauthenticated } from './errors.js';
import type { Store } from '../store/store.js';
import type { ApiKeyRecord, KeyMatch } from './model/api-key.js';
import { LookupCache, type LookupStats } from './lookup-cache.js';
import type { UsageSink } from './ports.js';

export interface KeyVerifierOptions {
  prefix: string;
  cacheTtlMs: number;
  cacheMaxEntries: number;
}

export const INVALID_KEY_DETAIL = 'Invalid, expired or revoked API key';

export class KeyVerifier {
  private readonly cache: LookupCache<KeyMatch>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly usage: UsageSink,
    private readonly opts: KeyVerifierOptions,
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
    this.usage.record('api_key', key.id, now);
    return key;
  }

  /** Hits and misses of the lookup cache, for metrics. */
  get cacheStats(): LookupStats {
    return this.cache.stats;
  }

  /** Drops every cached lookup of key `id`. */
  invalidate(id: string): void {
    this.cache.invalidate(id);
  }
}
