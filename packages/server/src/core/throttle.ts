/**
 * Brute-force throttling over the `Limiter` port: failures are counted per key (an account, an
 * IP, a key_id) in a fixed window; past `limit` failures the key is refused with a 429 until
 * the window ends. With a shared limiter the count holds across instances.
 */
import { throttled } from './errors.js';
import type { ThrottleEntryPoint } from './metrics.js';
import type { LimitCheck, LimitRule, Limiter } from './ports.js';
import type { Runtime } from './runtime.js';

export type ThrottleRule = LimitRule;

/**
 * Throws a 429 GatehouseError (with retry_after of the first refusal) when a key has used up its
 * rule; the refusal is counted in metrics under `entryPoint`.
 */
export async function assertNotThrottled(
  rt: Pick<Runtime, 'limiter' | 'metrics'>,
  entryPoint: ThrottleEntryPoint,
  ...checks: LimitCheck[]
): Promise<void> {
  const refused = (await rt.limiter.peek(checks)).find((state) => !state.allowed);
  if (refused) {
    rt.metrics.throttled(entryPoint);
    throw throttled(refused.retryAfterMs / 1000);
  }
}

/** Counts one failure against each key. */
export async function countFailure(limiter: Limiter, ...checks: LimitCheck[]): Promise<void> {
  await Promise.all(checks.map(([key, rule]) => limiter.consume(key, rule)));
}
