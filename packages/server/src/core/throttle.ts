/**
 * Brute-force throttling over the `Limiter` port: failures are counted per key (an account, an
 * IP, a key_id) in a fixed window; past `limit` failures the key is refused with a 429 until
 * the window ends. With a shared limiter the count holds across instances.
 */
import { throttled } from './errors.js';
import type { LimitCheck, LimitRule, Limiter } from './ports.js';

export type ThrottleRule = LimitRule;

/** Throws a 429 GatehouseError (with retry_after of the first refusal) when a key has used up its rule. */
export async function assertNotThrottled(limiter: Limiter, ...checks: LimitCheck[]): Promise<void> {
  const refused = (await limiter.peek(checks)).find((state) => !state.allowed);
  if (refused) throw throttled(refused.retryAfterMs / 1000);
}

/** Counts one failure against each key. */
export async function countFailure(limiter: Limiter, ...checks: LimitCheck[]): Promise<void> {
  await Promise.all(checks.map(([key, rule]) => limiter.consume(key, rule)));
}
