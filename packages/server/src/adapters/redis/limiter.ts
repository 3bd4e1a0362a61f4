/**
 * The `Limiter` over Redis: the same fixed windows as `MemoryLimiter`, shared by every instance
 * pointed at the same Redis and key prefix, so N instances allow the documented number of
 * attempts, not N times it.
 *
 * Each key is a hash `{count, reset}` updated by one Lua script (atomic: concurrent consumes on
 * any instance add up exactly). Window times come from the runtime's clock, passed to the
 * script, so a window starts at its first point and ends `windowMs` later just as in memory
 * (instances' clocks should agree to within what matters for a window's edge). Redis's own
 * expiry only collects finished windows. `peek` reads every key in one pipelined round trip.
 *
 * Redis unreachable: throttles fail open (every point is allowed, nothing counted) and a warning
 * is logged once per outage; verification never depends on Redis.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../../core/clock.js';
import type { LimitCheck, LimitRule, LimitState, Limiter } from '../../core/ports.js';
import type { Logger } from '../../log.js';
import { describeError } from '../../log.js';

/** KEYS[1] the window; ARGV: now, windowMs, points. Returns {count, reset}. */
const CONSUME = `
local now = tonumber(ARGV[1])
local reset = tonumber(redis.call('HGET', KEYS[1], 'reset'))
if not reset or reset <= now then
  reset = now + tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], 'count', ARGV[3], 'reset', reset)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
  return {tonumber(ARGV[3]), reset}
end
return {redis.call('HINCRBY', KEYS[1], 'count', ARGV[3]), reset}
`;

type WithConsume = Redis & { gatehouseConsume(key: string, now: number, windowMs: number, points: number): Promise<[number, number]> };

export class RedisLimiter implements Limiter {
  private readonly redis: WithConsume;
  private failing = false;

  constructor(
    redis: Redis,
    private readonly clock: Clock,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    redis.defineCommand('gatehouseConsume', { numberOfKeys: 1, lua: CONSUME });
    this.redis = redis as WithConsume;
  }

  async consume(key: string, rule: LimitRule, points = 1): Promise<LimitState> {
    const now = this.clock.now();
    try {
      const [count, reset] = await this.redis.gatehouseConsume(this.key(key), now, rule.windowMs, points);
      this.recovered();
      return { allowed: count <= rule.limit, remaining: Math.max(0, rule.limit - count), retryAfterMs: reset - now };
    } catch (err) {
      this.failed(err);
      return { allowed: true, remaining: rule.limit, retryAfterMs: 0 };
    }
  }

  async peek(checks: readonly LimitCheck[]): Promise<LimitState[]> {
    if (checks.length === 0) return [];
    const now = this.clock.now();
    try {
      const pipeline = this.redis.pipeline();
      for (const [key] of checks) pipeline.hmget(this.key(key), 'count', 'reset');
      const results = (await pipeline.exec()) ?? [];
      const replies = checks.map((_, i) => {
        const [err, value] = results[i] ?? [new Error('no reply from redis'), null];
        if (err) throw err;
        return value as [string | null, string | null];
      });
      this.recovered();
      return checks.map(([, rule], i) => {
        const [rawCount, rawReset] = replies[i] ?? [null, null];
        const count = rawCount === null ? null : Number(rawCount);
        const reset = rawReset === null ? null : Number(rawReset);
        if (count === null || reset === null || reset <= now) return { allowed: true, remaining: rule.limit, retryAfterMs: 0 };
        return { allowed: count < rule.limit, remaining: Math.max(0, rule.limit - count), retryAfterMs: reset - now };
      });
    } catch (err) {
      this.failed(err);
      return checks.map(([, rule]) => ({ allowed: true, remaining: rule.limit, retryAfterMs: 0 }));
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.redis.del(this.key(key));
      this.recovered();
    } catch (err) {
      this.failed(err);
    }
  }

  private key(key: string): string {
    return `${this.prefix}limit:${key}`;
  }

  private failed(err: unknown): void {
    if (!this.failing) this.log.warn('redis limiter unavailable: throttles fail open until it is back', describeError(err));
    this.failing = true;
  }

  private recovered(): void {
    if (this.failing) this.log.info('redis limiter available again');
    this.failing = false;
  }
}
