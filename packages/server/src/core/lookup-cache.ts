/**
 * A bounded, time-limited cache of credential lookups (hits and misses), keyed by the secret's
 * digest. `invalidate(id)` drops every entry that belongs to `id` (a key, grant, token or app).
 * A generation counter guards the race where an invalidation lands while a lookup is in flight:
 * such a result is returned but not cached. Hits and misses are counted in two integers that
 * metrics read when scraped (nothing else is paid on the hot path).
 */
export interface LookupStats {
  /** Answered from the cache (a remembered miss included). */
  hits: number;
  /** Loaded from the store. */
  misses: number;
}

interface Entry<T> {
  value: T | null;
  until: number;
}

export class LookupCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private generation = 0;
  readonly stats: LookupStats = { hits: 0, misses: 0 };

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    /** The ids an entry belongs to, for invalidation. */
    private readonly idsOf: (value: T) => readonly string[],
    /** Whether a lookup that found nothing is remembered too. */
    private readonly keepMisses = true,
  ) {}

  async get(hash: string, now: number, load: () => Promise<T | undefined>): Promise<T | null> {
    const hit = this.entries.get(hash);
    if (hit && hit.until > now) {
      this.stats.hits++;
      return hit.value;
    }
    this.stats.misses++;
    const generation = this.generation;
    const value = (await load()) ?? null;
    if (generation === this.generation && (value !== null || this.keepMisses)) {
      this.entries.delete(hash);
      this.entries.set(hash, { value, until: now + this.ttlMs });
      while (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
    }
    return value;
  }

  invalidate(id: string): void {
    this.generation++;
    for (const [hash, entry] of this.entries) {
      if (entry.value && this.idsOf(entry.value).includes(id)) this.entries.delete(hash);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
