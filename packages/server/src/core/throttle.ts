/**
 * Brute-force throttling over the `Limiter` port: failures are counted per key (an account, an
 * IP, a key_id) in a fixed window; past `limit` failures the key is refused with a 429 until
 * the window ends. With a shared limiter the count holds across instances.
 */
import { throttled } from './errors.js';
import type { LimitRule, Limiter } from './ports.js';

export type ThrottleRule = LimitRule;

/** Throws a 429 GatehouseError (with retry_after) when `key` has used up `rule`. */
export async function assertNotThrottled(limiter: Limiter, key: string, rule: ThrottleRule): Promise<void> {
  const state = await limiter.peek(key, rule);
  if (!state.allowed) throw throttled(state.retryAfterMs / 1000);
}

/** Counts one failure against each key. */
export async function countFailure(limiter: Limiter, ...checks: Array<[key: string, rule: ThrottleRule]>): Promise<void> {
  await Promise.all(checks.map(([key, rule]) => limiter.consume(key, rule)));
}
