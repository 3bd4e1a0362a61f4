/**
 * Two runtimes (two instances) on one PostgreSQL database with the same REDIS_URL, exercised
 * through core:
 * - a brute-force throttle (/v0/auth failures per key_id) is counted across both, so it holds at
 *   the documented 10, not 20;
 * - a revocation on one reaches the other through Redis pub/sub within 50 ms, with the store
 *   poll set to 10 s so that only Redis can deliver it in time;
 * - so does a revocation made with the CLI (a process that publishes right after it connects);
 * - with Redis unreachable, an instance still starts and verifies keys, and revocations still
 *   reach the other instance through the store poll.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { Actor } from '../../src/core/context.js';
import { exchangeKeyPair } from '../../src/core/key-exchange.js';
import { revokeKey } from '../../src/core/keys.js';
import type { ServerRuntime } from '../../src/runtime.js';
import { type BackendTarget, postgres } from '../helpers/backends.js';
import { TEST_REDIS_URL, closedRedisUrl, dropPrefix, redisReachable, testPrefix } from '../helpers/redis.js';
import { Instances } from '../helpers/instances.js';
import { TEST_SERVER_SECRET } from '../helpers/runtime.js';

const system: Actor = { type: 'system', id: null, user: null, ip: null };
/** The documented /v0/auth throttle: 10 failures per key_id per 5 minutes. */
const V0_AUTH_FAILURES = 10;

describe('Redis ports across two instances on one PostgreSQL database', () => {
  let target: BackendTarget | undefined;
  let prefix: string | undefined;
  const instances = new Instances();

  afterEach(async () => {
    await instances.closeAll();
    await target?.cleanup();
    target = undefined;
    if (prefix) await dropPrefix(prefix);
    prefix = undefined;
  });

  /** Both PostgreSQL and Redis, or a skip (loud locally, a failure under CI=true). */
  async function setup(ctx: { skip(): void }): Promise<boolean> {
    if (!(await redisReachable())) {
      ctx.skip();
      return false;
    }
    target = await postgres.setup();
    if (!target) {
      ctx.skip();
      return false;
    }
    prefix = testPrefix();
    return true;
  }

  /** One server instance's runtime: its own store connection and Redis connections, started. */
  const instance = (env: Record<string, string>) => instances.start(target!, env);
  const keyOf = (rt: ServerRuntime) => instances.keyOf(rt);

  it('a /v0/auth brute-force throttle alternated between the instances holds at the documented 10, not 20', async (ctx) => {
    if (!(await setup(ctx))) return;
    const env = { REDIS_URL: TEST_REDIS_URL, GATEHOUSE_REDIS_PREFIX: prefix! };
    const a = await instance(env);
    const b = await instance(env);
    const { key, secret } = await keyOf(a);
    const attempt = (rt: ServerRuntime, keySecret: string, ip: string) => exchangeKeyPair(rt, { keyId: key.id, keySecret, scopes: ['read'], ip });
    for (let i = 0; i < V0_AUTH_FAILURES; i++) {
      await expect(attempt(i % 2 === 0 ? a : b, `${secret}x`, `198.51.100.${i}`)).rejects.toMatchObject({ code: 'unauthenticated' });
    }
    // Each instance saw only 5 failures itself; the shared count refuses the next try on both, the right secret too.
    await expect(attempt(a, secret, '198.51.100.99')).rejects.toMatchObject({ code: 'throttled', status: 429 });
    await expect(attempt(b, secret, '198.51.100.98')).rejects.toMatchObject({ code: 'throttled', status: 429 });
  });

  it('a revocation on one instance is refused by the other within 50 ms, through Redis (store poll at 10 s)', async (ctx) => {
    if (!(await setup(ctx))) return;
    const env = { REDIS_URL: TEST_REDIS_URL, GATEHOUSE_REDIS_PREFIX: prefix!, GATEHOUSE_REVOCATION_POLL_MS: '10000' };
    const a = await instance(env);
    const b = await instance(env);
    const { owner, key, secret } = await keyOf(a);
    expect((await b.apiKeys.verify(secret)).id).toBe(key.id); // now cached by b
    const heardByA: string[] = [];
    a.revocations.subscribe((id) => heardByA.push(id));
    let heardByB: number | undefined;
    b.revocations.subscribe((id) => {
      if (id === key.id) heardByB ??= performance.now();
    });

    const revokedAt = performance.now();
    await revokeKey(a, { ...system, user: owner }, key.id);
    await expect(a.apiKeys.verify(secret)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(heardByA.filter((id) => id === key.id)).toHaveLength(1); // this instance hears it once, not again over Redis
    while (heardByB === undefined && performance.now() - revokedAt < 1_000) await new Promise((r) => setTimeout(r, 1));
    expect(heardByB, 'the other instance never heard the revocation').toBeDefined();
    expect(heardByB! - revokedAt).toBeLessThan(50);
    await expect(b.apiKeys.verify(secret)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('a `gatehouse keys revoke` with REDIS_URL reaches a running instance through Redis within 50 ms', async (ctx) => {
    if (!(await setup(ctx))) return;
    const env = { REDIS_URL: TEST_REDIS_URL, GATEHOUSE_REDIS_PREFIX: prefix!, GATEHOUSE_REVOCATION_POLL_MS: '10000' };
    const server = await instance(env);
    const { key, secret } = await keyOf(server);
    expect((await server.apiKeys.verify(secret)).id).toBe(key.id);
    let heard: number | undefined;
    server.revocations.subscribe((id) => {
      if (id === key.id) heard ??= performance.now();
    });
    const err: string[] = [];
    const code = await runCli(['keys', 'revoke', key.id], {
      env: { ...target!.env, ...env, GATEHOUSE_SECRET: TEST_SERVER_SECRET },
      out: () => {},
      err: (t) => err.push(t),
      readStdin: async () => '',
    });
    const revokedAt = performance.now();
    expect(code, err.join('\n')).toBe(0);
    expect(err.join('\n')).not.toMatch(/redis/i); // connected in time: no fallback warning
    while (heard === undefined && performance.now() - revokedAt < 1_000) await new Promise((r) => setTimeout(r, 1));
    expect(heard, 'the running instance never heard the revocation').toBeDefined();
    expect(heard! - revokedAt).toBeLessThan(50);
    await expect(server.apiKeys.verify(secret)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('with Redis unreachable an instance starts and verifies keys, and revocations still arrive by the store poll', async (ctx) => {
    if (!(await setup(ctx))) return;
    const env = { REDIS_URL: await closedRedisUrl(), GATEHOUSE_REVOCATION_POLL_MS: '50' };
    const a = await instance(env);
    const b = await instance(env);
    const { owner, key, secret } = await keyOf(a);
    expect((await a.apiKeys.verify(secret)).id).toBe(key.id);
    expect((await b.apiKeys.verify(secret)).id).toBe(key.id);
    // Throttles fail open while Redis is down (documented): a failed exchange is still just unauthenticated.
    await expect(exchangeKeyPair(b, { keyId: key.id, keySecret: `${secret}x`, scopes: ['read'], ip: '198.51.100.1' })).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    await revokeKey(a, { ...system, user: owner }, key.id);
    const deadline = Date.now() + 5_000;
    let refused = false;
    while (!refused && Date.now() < deadline) {
      refused = await b.apiKeys.verify(secret).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 20));
    }
    expect(refused).toBe(true);
  });
});
