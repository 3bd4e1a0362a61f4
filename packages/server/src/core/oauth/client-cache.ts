/**
 * Apps as the token, revocation and introspection endpoints see them: every one of those
 * requests authenticates its client, so the app's record is cached like an API key lookup,
 * bounded in size and age. Changing or deleting an app drops it at once on this instance
 * (`credentialChanged`), and through credential events within the poll interval elsewhere.
 */
import type { Clock } from '../clock.js';
import { LookupCache, type LookupStats } from '../lookup-cache.js';
import type { OAuthStore } from '../../store/oauth/store.js';
import type { ClientRecord } from '../model/client.js';

export class ClientCache {
  private readonly cache: LookupCache<ClientRecord>;

  constructor(
    private readonly store: OAuthStore,
    private readonly clock: Clock,
    ttlMs: number,
    maxEntries: number,
  ) {
    // Only apps that exist are kept: an id not found is asked again, so an app created elsewhere is found.
    this.cache = new LookupCache(ttlMs, maxEntries, (client) => [client.id], false);
  }

  async get(id: string): Promise<ClientRecord | undefined> {
    return (await this.cache.get(id, this.clock.now(), () => this.store.clients.get(id))) ?? undefined;
  }

  /** Hits and misses of the lookup cache, for metrics. */
  get cacheStats(): LookupStats {
    return this.cache.stats;
  }

  invalidate(id: string): void {
    this.cache.invalidate(id);
  }
}
