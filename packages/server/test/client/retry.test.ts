/**
 * 429 handling against a real throttle: ten bad secrets for a key_id make `POST /v0/auth`
 * answer 429 with `Retry-After` (seconds left in the 5-minute window, exact under the
 * FakeClock). The SDK waits as told (an injected sleep records the waits), retries at most
 * `maxRetries` times, never waits longer than `maxDelayMs`, and surfaces the 429 as a typed
 * error carrying `retryAfter`.
 */
import { describe, expect, it } from 'vitest';
import { Gatehouse, GatehouseApiError } from '@gatehouse/client';
import { FakeClock } from '../../src/core/clock.js';
import { sqlite } from '../helpers/backends.js';
import { type TestServer, seedKey, seedUser, useServer } from '../helpers/server.js';
import { requestCount } from './support.js';

const WINDOW_S = 300;

describe('gatehouse/client honours Retry-After on 429', () => {
  const clock = new FakeClock();
  const getServer = useServer(sqlite, { clock });
  const auths = () => requestCount(getServer(), 'POST', '/v0/auth');

  /** A key whose key_id is throttled by ten failed exchanges. */
  async function throttledKey(server: TestServer) {
    const { key, secret } = await seedKey(server, await seedUser(server), ['read']);
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${server.url}/v0/auth`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ key_id: key.id, key_secret: 'sk_000000000000000000000000000000000000', scopes: ['read'] }),
      });
      expect(res.status).toBe(401);
    }
    return { keyId: key.id, keySecret: secret, scopes: ['read'] };
  }

  it('retries at most maxRetries times, waiting Retry-After each time, then throws the 429', async (ctx) => {
    const server = getServer(ctx);
    const keyPair = await throttledKey(server);
    const sleeps: number[] = [];
    const gh = new Gatehouse({ baseUrl: server.url, keyPair, now: () => clock.now(), sleep: async (ms) => void sleeps.push(ms), retry: { maxRetries: 2, maxDelayMs: 600_000 } });
    const before = auths();
    const err = await gh.fetch('/v1/agents').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatehouseApiError);
    expect(err).toMatchObject({ status: 429, retryAfter: WINDOW_S, detail: expect.stringMatching(/Too many/), extra: { retry_after: WINDOW_S } });
    expect(auths() - before).toBe(3);
    expect(sleeps).toEqual([WINDOW_S * 1000, WINDOW_S * 1000]);
  });

  it('does not retry when Retry-After is longer than maxDelayMs (default 10 s), nor with maxRetries 0', async (ctx) => {
    const server = getServer(ctx);
    const keyPair = await throttledKey(server);
    const sleeps: number[] = [];
    const before = auths();
    const capped = new Gatehouse({ baseUrl: server.url, keyPair, now: () => clock.now(), sleep: async (ms) => void sleeps.push(ms) });
    await expect(capped.fetch('/v1/agents')).rejects.toMatchObject({ status: 429, retryAfter: WINDOW_S });
    expect(auths() - before).toBe(1);

    const none = new Gatehouse({ baseUrl: server.url, keyPair, now: () => clock.now(), sleep: async (ms) => void sleeps.push(ms), retry: { maxRetries: 0, maxDelayMs: 600_000 } });
    await expect(none.fetch('/v1/agents')).rejects.toMatchObject({ status: 429 });
    expect(auths() - before).toBe(2);
    expect(sleeps).toEqual([]);
  });

  it('succeeds after waiting as long as the server asked', async (ctx) => {
    const server = getServer(ctx);
    const keyPair = await throttledKey(server);
    clock.advance((WINDOW_S - 2) * 1000); // 2 s left in the window
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      clock.advance(ms); // time passes on the server too
    };
    const gh = new Gatehouse({ baseUrl: server.url, keyPair, now: () => clock.now(), sleep });
    const before = auths();
    expect(await gh.json('/v1/agents')).toEqual({ data: [] });
    expect(sleeps).toEqual([2000]);
    expect(auths() - before).toBe(2);
  });

  it('rejects nonsensical retry settings', (ctx) => {
    const server = getServer(ctx);
    expect(() => new Gatehouse({ baseUrl: server.url, apiKey: 'sk_x', retry: { maxRetries: -1 } })).toThrow(RangeError);
    expect(() => new Gatehouse({ baseUrl: server.url, apiKey: 'sk_x', retry: { maxDelayMs: Number.NaN } })).toThrow(RangeError);
  });
});
