import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { GatehouseError } from '../../src/core/errors.js';
import { MemoryLimiter } from '../../src/adapters/memory/limiter.js';
import { noMetrics } from '../../src/core/metrics.js';
import type { LimitCheck } from '../../src/core/ports.js';
import { type ThrottleRule, assertNotThrottled, countFailure } from '../../src/core/throttle.js';

const RULE: ThrottleRule = { limit: 3, windowMs: 60_000 };

/** The throttle check as core makes it, on this limiter, without metrics. */
const checkThrottle = (limiter: MemoryLimiter, ...checks: LimitCheck[]) => assertNotThrottled({ limiter, metrics: noMetrics }, 'sign_in', ...checks);

/** Brute-force throttling (core/throttle.ts) through the in-process Limiter port. */
async function refusal(check: Promise<void>): Promise<GatehouseError> {
  const err = await check.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the throttle to refuse').toBeInstanceOf(GatehouseError);
  return err as GatehouseError;
}

async function failTimes(throttle: MemoryLimiter, key: string, n: number, rule = RULE): Promise<void> {
  for (let i = 0; i < n; i++) await countFailure(throttle, [key, rule]);
}

describe('throttling through the MemoryLimiter', () => {
  it('allows up to `limit` failures, then refuses with 429 throttled and retry_after', async () => {
    const clock = new FakeClock();
    const throttle = new MemoryLimiter(clock);
    await checkThrottle(throttle, ['acct:a', RULE]);
    await failTimes(throttle, 'acct:a', 2);
    await expect(checkThrottle(throttle, ['acct:a', RULE])).resolves.toBeUndefined();
    await countFailure(throttle, ['acct:a', RULE]);
    const err = await refusal(checkThrottle(throttle, ['acct:a', RULE]));
    expect(err.code).toBe('throttled');
    expect(err.status).toBe(429);
    expect(err.extra.retry_after).toBe(60);
  });

  it('counts retry_after down to the end of the window, never below one second', async () => {
    const clock = new FakeClock();
    const throttle = new MemoryLimiter(clock);
    await failTimes(throttle, 'ip:1', 3);
    clock.advance(20_000);
    await failTimes(throttle, 'ip:1', 5); // more failures do not extend a fixed window
    expect((await refusal(checkThrottle(throttle, ['ip:1', RULE]))).extra.retry_after).toBe(40);
    clock.advance(39_500);
    expect((await refusal(checkThrottle(throttle, ['ip:1', RULE]))).extra.retry_after).toBe(1);
    clock.advance(499);
    expect((await refusal(checkThrottle(throttle, ['ip:1', RULE]))).extra.retry_after).toBe(1);
  });

  it('lets the key through again once the window has expired, and starts a fresh count', async () => {
    const clock = new FakeClock();
    const throttle = new MemoryLimiter(clock);
    await failTimes(throttle, 'acct:a', 3);
    clock.advance(59_999);
    await expect(checkThrottle(throttle, ['acct:a', RULE])).rejects.toBeInstanceOf(GatehouseError);
    clock.advance(1);
    await expect(checkThrottle(throttle, ['acct:a', RULE])).resolves.toBeUndefined();
    await failTimes(throttle, 'acct:a', 2);
    await expect(checkThrottle(throttle, ['acct:a', RULE])).resolves.toBeUndefined();
    await countFailure(throttle, ['acct:a', RULE]);
    expect((await refusal(checkThrottle(throttle, ['acct:a', RULE]))).extra.retry_after).toBe(60);
  });

  it('reset clears a key (e.g. after a successful sign-in)', async () => {
    const clock = new FakeClock();
    const throttle = new MemoryLimiter(clock);
    await failTimes(throttle, 'acct:a', 3);
    await expect(checkThrottle(throttle, ['acct:a', RULE])).rejects.toBeInstanceOf(GatehouseError);
    await throttle.reset('acct:a');
    await expect(checkThrottle(throttle, ['acct:a', RULE])).resolves.toBeUndefined();
    await failTimes(throttle, 'acct:a', 2);
    await expect(checkThrottle(throttle, ['acct:a', RULE])).resolves.toBeUndefined();
  });

  it('keeps keys independent and honours each rule’s own limit', async () => {
    const clock = new FakeClock();
    const throttle = new MemoryLimiter(clock);
    await failTimes(throttle, 'acct:a', 3);
    await expect(checkThrottle(throttle, ['acct:a', RULE])).rejects.toBeInstanceOf(GatehouseError);
    await expect(checkThrottle(throttle, ['acct:b', RULE])).resolves.toBeUndefined();
    const strict: ThrottleRule = { limit: 1, windowMs: 1000 };
    await countFailure(throttle, ['ip:9', strict]);
    expect((await refusal(checkThrottle(throttle, ['ip:9', strict]))).extra.retry_after).toBe(1);
  });

  it('checks several keys in one call: any key past its rule refuses, with the first refusal\'s retry_after', async () => {
    const clock = new FakeClock();
    const throttle = new MemoryLimiter(clock);
    const short: ThrottleRule = { limit: 1, windowMs: 10_000 };
    const long: ThrottleRule = { limit: 1, windowMs: 60_000 };
    await expect(checkThrottle(throttle, ['ip:1', short], ['acct:a', long])).resolves.toBeUndefined();
    await countFailure(throttle, ['acct:a', long]);
    expect((await refusal(checkThrottle(throttle, ['ip:1', short], ['acct:a', long]))).extra.retry_after).toBe(60);
    await countFailure(throttle, ['ip:1', short]);
    expect((await refusal(checkThrottle(throttle, ['ip:1', short], ['acct:a', long]))).extra.retry_after).toBe(10);
    expect(await throttle.peek([['ip:1', short], ['acct:b', long]])).toEqual([
      { allowed: false, remaining: 0, retryAfterMs: 10_000 },
      { allowed: true, remaining: 1, retryAfterMs: 0 },
    ]);
  });

  it('stays bounded in memory, dropping the oldest windows first', async () => {
    const clock = new FakeClock();
    const throttle = new MemoryLimiter(clock, 2);
    const one: ThrottleRule = { limit: 1, windowMs: 60_000 };
    await countFailure(throttle, ['a', one]);
    clock.advance(1);
    await countFailure(throttle, ['b', one]);
    clock.advance(1);
    await countFailure(throttle, ['c', one]);
    await expect(checkThrottle(throttle, ['a', one])).resolves.toBeUndefined();
    await expect(checkThrottle(throttle, ['b', one])).rejects.toBeInstanceOf(GatehouseError);
    await expect(checkThrottle(throttle, ['c', one])).rejects.toBeInstanceOf(GatehouseError);
  });
});

describe('MemoryLimiter as a rate limiter', () => {
  it('counts points, reports what remains and when the window resets, and peeks without counting', async () => {
    const clock = new FakeClock();
    const limiter = new MemoryLimiter(clock);
    const rule = { limit: 10, windowMs: 1000 };
    expect(await limiter.peek([['k', rule]])).toEqual([{ allowed: true, remaining: 10, retryAfterMs: 0 }]);
    expect(await limiter.consume('k', rule, 4)).toEqual({ allowed: true, remaining: 6, retryAfterMs: 1000 });
    clock.advance(250);
    expect(await limiter.peek([['k', rule]])).toEqual([{ allowed: true, remaining: 6, retryAfterMs: 750 }]);
    expect(await limiter.consume('k', rule, 6)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 750 });
    expect(await limiter.consume('k', rule)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 750 });
    expect((await limiter.peek([['k', rule]]))[0]?.allowed).toBe(false);
    clock.advance(750);
    expect(await limiter.consume('k', rule)).toEqual({ allowed: true, remaining: 9, retryAfterMs: 1000 });
  });
});
