/**
 * The Redis `Limiter` on a real Redis: the same fixed windows as the in-process one, counted
 * exactly across several instances (connections), and failing open when Redis is unreachable.
 *
 * Time: windows are computed from the limiter's clock (a FakeClock here), passed into the Lua
 * script, so the tests move time instead of sleeping; Redis's own expiry (real time, window +
 * 1 s) only collects finished windows and never decides a count within these tests.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisLimiter } from '../../src/adapters/redis/limiter.js';
import { FakeClock } from '../../src/core/clock.js';
import { GatehouseError } from '../../src/core/errors.js';
import { noMetrics } from '../../src/core/metrics.js';
import type { LimitCheck } from '../../src/core/ports.js';
import { type ThrottleRule, assertNotThrottled, countFailure } from '../../src/core/throttle.js';
import { type Logger, silentLogger } from '../../src/log.js';
import { TEST_REDIS_URL, closedRedisUrl, dropPrefix, redisReachable, testPrefix } from '../helpers/redis.js';

const RULE: ThrottleRule = { limit: 3, windowMs: 60_000 };

describe('RedisLimiter on a real Redis', () => {
  const clients: Redis[] = [];
  const prefixes: string[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    for (const p of prefixes.splice(0)) await dropPrefix(p);
  });

  /** A limiter as one instance would build it: its own connection, the shared prefix. */
  function limiter(clock: FakeClock, prefix: string, url = TEST_REDIS_URL, log: Logger = silentLogger): RedisLimiter {
    const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => {});
    clients.push(client);
    return new RedisLimiter(client, clock, prefix, log);
  }

  async function fresh(ctx: { skip(): void }): Promise<string | undefined> {
    if (!(await redisReachable())) {
      ctx.skip();
      return undefined;
    }
    const prefix = testPrefix();
    prefixes.push(prefix);
    return prefix;
  }


  it('allows exactly N, refuses N+1, and resets when the window (on the runtime clock) ends', async (ctx) => {
    const prefix = await fresh(ctx);
    if (!prefix) return;
    const clock = new FakeClock();
    const l = limiter(clock, prefix);
    await waitConnected(clients[0]!);
    const rule = { limit: 10, windowMs: 1000 };
    expect(await l.peek([['k', rule]])).toEqual([{ allowed: true, remaining: 10, retryAfterMs: 0 }]);
    expect(await l.consume('k', rule, 4)).toEqual({ allowed: true, remaining: 6, retryAfterMs: 1000 });
    clock.advance(250);
    expect(await l.peek([['k', rule]])).toEqual([{ allowed: true, remaining: 6, retryAfterMs: 750 }]);
    expect(await l.consume('k', rule, 6)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 750 });
    expect(await l.consume('k', rule)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 750 });
    expect((await l.peek([['k', rule]]))[0]?.allowed).toBe(false);
    clock.advance(749);
    expect((await l.peek([['k', rule]]))[0]?.allowed).toBe(false);
    clock.advance(1);
    expect(await l.consume('k', rule)).toEqual({ allowed: true, remaining: 9, retryAfterMs: 1000 });
  });

  it('throttles through core: `limit` failures, then 429 throttled with retry_after; reset clears the key', async (ctx) => {
    const prefix = await fresh(ctx);
    if (!prefix) return;
    const clock = new FakeClock();
    const l = limiter(clock, prefix);
    await waitConnected(clients[0]!);
    const check = (...checks: LimitCheck[]) => assertNotThrottled({ limiter: l, metrics: noMetrics }, 'sign_in', ...checks);
    for (let i = 0; i < 3; i++) {
      await expect(check(['acct:a', RULE])).resolves.toBeUndefined();
      await countFailure(l, ['acct:a', RULE]);
    }
    const err = await check(['acct:a', RULE]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(GatehouseError);
    expect((err as GatehouseError).code).toBe('throttled');
    expect((err as GatehouseError).extra.retry_after).toBe(60);
    await expect(check(['acct:b', RULE])).resolves.toBeUndefined();
    await l.reset('acct:a');
    await expect(check(['acct:a', RULE])).resolves.toBeUndefined();
  });

  it('peeks several keys at once, each under its own rule, without counting', async (ctx) => {
    const prefix = await fresh(ctx);
    if (!prefix) return;
    const clock = new FakeClock();
    const l = limiter(clock, prefix);
    await waitConnected(clients[0]!);
    const short = { limit: 1, windowMs: 10_000 };
    const long = { limit: 2, windowMs: 60_000 };
    await l.consume('ip:1', short);
    await l.consume('acct:a', long);
    const checks: LimitCheck[] = [['ip:1', short], ['acct:a', long], ['acct:b', long]];
    const expected = [
      { allowed: false, remaining: 0, retryAfterMs: 10_000 },
      { allowed: true, remaining: 1, retryAfterMs: 60_000 },
      { allowed: true, remaining: 2, retryAfterMs: 0 },
    ];
    expect(await l.peek(checks)).toEqual(expected);
    expect(await l.peek(checks)).toEqual(expected);
  });

  it('counts exactly across instances: 50 concurrent consumes on three connections let exactly 10 through', async (ctx) => {
    const prefix = await fresh(ctx);
    if (!prefix) return;
    const clock = new FakeClock();
    const instances = [limiter(clock, prefix), limiter(clock, prefix), limiter(clock, prefix)];
    await Promise.all(clients.map(waitConnected));
    const rule = { limit: 10, windowMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => instances[i % 3]!.consume('shared', rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect((await instances[0]!.peek([['shared', rule]]))[0]).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('keeps deployments sharing one Redis apart by prefix', async (ctx) => {
    const prefix = await fresh(ctx);
    if (!prefix) return;
    const other = testPrefix();
    prefixes.push(other);
    const clock = new FakeClock();
    const a = limiter(clock, prefix);
    const b = limiter(clock, other);
    await Promise.all(clients.map(waitConnected));
    await a.consume('k', { limit: 1, windowMs: 60_000 }, 5);
    expect((await b.peek([['k', { limit: 1, windowMs: 60_000 }]]))[0]?.allowed).toBe(true);
  });

  it('fails open and logs one warning (without the URL) while Redis is unreachable', async () => {
    const url = await closedRedisUrl();
    const lines: Array<[string, Record<string, unknown> | undefined]> = [];
    const log: Logger = { ...silentLogger, warn: (msg, fields) => lines.push([msg, fields]) };
    const l = limiter(new FakeClock(), 'gh-test:closed:', url, log);
    for (let i = 0; i < 5; i++) expect(await l.consume('k', RULE)).toMatchObject({ allowed: true });
    expect(await l.peek([['k', RULE]])).toEqual([{ allowed: true, remaining: 3, retryAfterMs: 0 }]);
    await expect(l.reset('k')).resolves.toBeUndefined();
    expect(lines, JSON.stringify(lines)).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(url);
  });
});

async function waitConnected(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('end', () => reject(new Error('redis connection ended')));
  });
}
