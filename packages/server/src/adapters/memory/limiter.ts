/**
 * The in-process `Limiter`: fixed-window counters in a bounded map, on the runtime's clock (so
 * tests move time instead of sleeping). Exact for one instance; instances sharing a database
 * each count on their own until a shared implementation is configured.
 */
import type { Clock } from '../../core/clock.js';
import type { LimitCheck, LimitRule, LimitState, Limiter } from '../../core/ports.js';

interface Window {
  count: number;
  resetAt: number;
}

export class MemoryLimiter implements Limiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  async consume(key: string, rule: LimitRule, points = 1): Promise<LimitState> {
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      this.windows.delete(key);
      w = { count: 0, resetAt: now + rule.windowMs };
      this.windows.set(key, w);
      this.evict(now);
    }
    w.count += points;
    return { allowed: w.count <= rule.limit, remaining: Math.max(0, rule.limit - w.count), retryAfterMs: w.resetAt - now };
  }

  async peek(checks: readonly LimitCheck[]): Promise<LimitState[]> {
    const now = this.clock.now();
    return checks.map(([key, rule]) => {
      const w = this.windows.get(key);
      if (!w || w.resetAt <= now) return { allowed: true, remaining: rule.limit, retryAfterMs: 0 };
      return { allowed: w.count < rule.limit, remaining: Math.max(0, rule.limit - w.count), retryAfterMs: w.resetAt - now };
    });
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  /** Expired windows go first; past the bound, the oldest entries go too. */
  private evict(now: number): void {
    if (this.windows.size <= this.maxKeys) return;
    for (const [k, w] of this.windows) {
      if (w.resetAt <= now || this.windows.size > this.maxKeys) this.windows.delete(k);
      if (this.windows.size <= this.maxKeys) break;
    }
  }
}
