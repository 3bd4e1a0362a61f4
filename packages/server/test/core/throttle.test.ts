import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { GatehouseError } from '../../src/core/errors.js';
import { Throttle, type ThrottleRule } from '../../src/core/throttle.js';

const RULE: ThrottleRule = { limit: 3, windowMs: 60_000 };

function refusal(fn: () => void): GatehouseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatehouseError);
    return err as GatehouseError;
  }
  throw new Error('expected the throttle to refuse');
}

function failTimes(throttle: Throttle, key: string, n: number, rule = RULE): void {
  for (let i = 0; i < n; i++) throttle.fail(key, rule);
}

describe('Throttle', () => {
  it('allows up to `limit` failures, then refuses with 429 throttled and retry_after', () => {
    const clock = new FakeClock();
    const throttle = new Throttle(clock);
    throttle.check('acct:a', RULE);
    failTimes(throttle, 'acct:a', 2);
    expect(() => throttle.check('acct:a', RULE)).not.toThrow();
    throttle.fail('acct:a', RULE);
    const err = refusal(() => throttle.check('acct:a', RULE));
    expect(err.code).toBe('throttled');
    expect(err.status).toBe(429);
    expect(err.extra.retry_after).toBe(60);
  });

  it('counts retry_after down to the end of the window, never below one second', () => {
    const clock = new FakeClock();
    const throttle = new Throttle(clock);
    failTimes(throttle, 'ip:1', 3);
    clock.advance(20_000);
    failTimes(throttle, 'ip:1', 5); // more failures do not extend a fixed window
    expect(refusal(() => throttle.check('ip:1', RULE)).extra.retry_after).toBe(40);
    clock.advance(39_500);
    expect(refusal(() => throttle.check('ip:1', RULE)).extra.retry_after).toBe(1);
    clock.advance(499);
    expect(refusal(() => throttle.check('ip:1', RULE)).extra.retry_after).toBe(1);
  });

  it('lets the key through again once the window has expired, and starts a fresh count', () => {
    const clock = new FakeClock();
    const throttle = new Throttle(clock);
    failTimes(throttle, 'acct:a', 3);
    clock.advance(59_999);
    expect(() => throttle.check('acct:a', RULE)).toThrow(GatehouseError);
    clock.advance(1);
    expect(() => throttle.check('acct:a', RULE)).not.toThrow();
    failTimes(throttle, 'acct:a', 2);
    expect(() => throttle.check('acct:a', RULE)).not.toThrow();
    throttle.fail('acct:a', RULE);
    expect(refusal(() => throttle.check('acct:a', RULE)).extra.retry_after).toBe(60);
  });

  it('reset clears a key (e.g. after a successful sign-in)', () => {
    const clock = new FakeClock();
    const throttle = new Throttle(clock);
    failTimes(throttle, 'acct:a', 3);
    expect(() => throttle.check('acct:a', RULE)).toThrow(GatehouseError);
    throttle.reset('acct:a');
    expect(() => throttle.check('acct:a', RULE)).not.toThrow();
    failTimes(throttle, 'acct:a', 2);
    expect(() => throttle.check('acct:a', RULE)).not.toThrow();
  });

  it('keeps keys independent and honours each rule’s own limit', () => {
    const clock = new FakeClock();
    const throttle = new Throttle(clock);
    failTimes(throttle, 'acct:a', 3);
    expect(() => throttle.check('acct:a', RULE)).toThrow(GatehouseError);
    expect(() => throttle.check('acct:b', RULE)).not.toThrow();
    const strict: ThrottleRule = { limit: 1, windowMs: 1000 };
    throttle.fail('ip:9', strict);
    expect(refusal(() => throttle.check('ip:9', strict)).extra.retry_after).toBe(1);
  });

  it('stays bounded in memory, dropping the oldest windows first', () => {
    const clock = new FakeClock();
    const throttle = new Throttle(clock, 2);
    const one: ThrottleRule = { limit: 1, windowMs: 60_000 };
    throttle.fail('a', one);
    clock.advance(1);
    throttle.fail('b', one);
    clock.advance(1);
    throttle.fail('c', one);
    expect(() => throttle.check('a', one)).not.toThrow();
    expect(() => throttle.check('b', one)).toThrow(GatehouseError);
    expect(() => throttle.check('c', one)).toThrow(GatehouseError);
  });
});
