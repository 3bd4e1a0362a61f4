/**
 * Verifies opaque `at_…` access tokens on the hot path, like API keys: checksum first, then a
 * cached lookup (no write). Revoking a token or its grant drops the cache entry at once on
 * this instance, and through the `RevocationBus` within its bound elsewhere. Last-used times
 * of grants go to the `UsageSink`, batched off the hot path.
 */
import type { Clock } from '../clock.js';
import { hashSecret, isWellFormedSecret } from '../credentials.js';
import { unauthenticated } from '../errors.js';
import { LookupCache, type LookupStats } from '../lookup-cache.js';
import type { UsageSink } from '../ports.js';
import type { OAuthStore } from '../../store/oauth/store.js';
import type { AccessTokenMatch } from '../model/token.js';

export const INVALID_ACCESS_TOKEN = 'Invalid, expired or revoked access token';

export class AccessTokenVerifier {
  private readonly cache: LookupCache<AccessTokenMatch>;

  constructor(
    private readonly store: OAuthStore,
    private readonly clock: Clock,
    private readonly usage: UsageSink,
    private readonly prefix: string,
    cacheTtlMs: number,
    cacheMaxEntries: number,
  ) {
    this.cache = new LookupCache(cacheTtlMs, cacheMaxEntries, (m) => [m.token.hash, m.grant.id, m.client.id]);
  }

  /** The live token, or undefined (no throw), for introspection. */
  async find(token: string): Promise<AccessTokenMatch | undefined> {
    if (!isWellFormedSecret(token, this.prefix)) return undefined;
    const hash = hashSecret(token);
    const now = this.clock.now();
    const match = await this.cache.get(hash, now, () => this.store.tokens.findAccess(hash));
    if (!match || match.grant.revokedAt !== null || match.token.expiresAt <= now) return undefined;
    this.usage.record('grant', match.grant.id, now);
    return match;
  }

  async verify(token: string): Promise<AccessTokenMatch> {
    const match = await this.find(token);
    if (!match) throw unauthenticated(INVALID_ACCESS_TOKEN);
    return match;
  }

  /** Hits and misses of the lookup cache, for metrics. */
  get cacheStats(): LookupStats {
    return this.cache.stats;
  }

  invalidate(id: string): void {
    this.cache.invalidate(id);
  }
}
