/**
 * Brute-force throttling: a fixed-window failure counter per key (an account, an IP, a key_id).
 * Past `limit` failures within `windowMs` the key is refused until the window ends.
 * In-process; a Redis-backed implementation can share the same interface across instances.
 */
import type { Clock } from './clock.js';
import { throttled } from './errors.js';

export interface ThrottleRule {
  limit: number;
  windowMs: number;
}

interface Window {
  count: number;
  resetAt: number;
}

export class Throttle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  /** Throws a 429 GatehouseError (with retry_after) when `key` is over `rule`. */
  check(key: string, rule: ThrottleRule): void {
    const w = this.windows.get(key);
    const now = this.clock.now();
    if (w && w.resetAt > now && w.count >= rule.limit) throw throttled((w.resetAt - now) / 1000);
  }

  fail(key: string, rule: ThrottleRule): void {
    const now = this.clock.now();
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      this.windows.delete(key);
      this.windows.set(key, { count: 1, resetAt: now + rule.windowMs });
      this.evict(now);
    } else {
      w.count++;
    }
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private evict(now: number): void {
    if (this.windows.size <= this.maxKeys) return;
    for (const [k, w] of this.windows) {
      if (w.resetAt <= now || this.windows.size > this.maxKeys) this.windows.delete(k);
      if (this.windows.size <= this.maxKeys) break;
    }
  }
}
