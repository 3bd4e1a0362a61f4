/**
 * Redis going away and coming back under running instances: throttles fail open during the
 * outage and count again afterwards, and revocations travel over pub/sub again, all without a
 * restart. The outage is a TCP relay in front of the real Redis that drops every connection and
 * stops listening, then listens again on the same port. Also: the Redis URL (which may hold a
 * password) appears in no log line.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/accounts.js';
import { FakeClock } from '../../src/core/clock.js';
import type { Actor } from '../../src/core/context.js';
import { createKey, revokeKey } from '../../src/core/keys.js';
import { loadConfig } from '../../src/config.js';
import { type Logger, silentLogger } from '../../src/log.js';
import { type ServerRuntime, buildRuntime } from '../../src/runtime.js';
import { openStore } from '../../src/store/kysely-store.js';
import { type BackendTarget, postgres } from '../helpers/backends.js';
import { TEST_REDIS_URL, closedRedisUrl, dropPrefix, redisReachable, testPrefix } from '../helpers/redis.js';
import { TEST_SERVER_SECRET } from '../helpers/runtime.js';

const system: Actor = { type: 'system', id: null, user: null, ip: null };
const RULE = { limit: 3, windowMs: 60_000 };

/** A TCP relay to the test Redis that can be taken down and brought back on the same port. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async up(): Promise<void> {
    const upstream = new URL(TEST_REDIS_URL);
    this.server = createServer((client) => {
      const redis = connect(Number(upstream.port || 6379), upstream.hostname);
      for (const s of [client, redis]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(redis).pipe(client);
      client.on('close', () => redis.destroy());
      redis.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Redis outage and recovery under running instances', () => {
  let target: BackendTarget | undefined;
  let prefix: string | undefined;
  const runtimes: ServerRuntime[] = [];
  const relay = new Relay();

  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.close();
    await relay.down();
    await target?.cleanup();
    target = undefined;
    if (prefix) await dropPrefix(prefix);
    prefix = undefined;
  });

  async function instance(env: Record<string, string>, logger: Logger = silentLogger): Promise<ServerRuntime> {
    const config = loadConfig({ ...target!.env, GATEHOUSE_SECRET: TEST_SERVER_SECRET, GATEHOUSE_LOG_LEVEL: 'silent', ...env });
    const rt = await buildRuntime(config, { clock: new FakeClock(), logger, store: openStore(target!.target) });
    runtimes.push(rt);
    await rt.start();
    return rt;
  }

  it('fails open during the outage, then counts and fans out revocations again without a restart', async (ctx) => {
    if (!(await redisReachable())) return ctx.skip();
    target = await postgres.setup();
    if (!target) return ctx.skip();
    prefix = testPrefix();
    await relay.up();
    const env = { REDIS_URL: `redis://127.0.0.1:${relay.port}`, GATEHOUSE_REDIS_PREFIX: prefix, GATEHOUSE_REVOCATION_POLL_MS: '10000' };
    const a = await instance(env);
    const b = await instance(env);

    expect(await a.limiter.consume('acct:x', RULE)).toMatchObject({ allowed: true, remaining: 2 });
    await relay.down();
    // Down: nothing counted, nothing refused.
    for (let i = 0; i < 5; i++) expect(await b.limiter.consume('acct:x', RULE)).toMatchObject({ allowed: true });
    await relay.up();
    // Back: the count kept in Redis resumes where it was (1), on both instances.
    await until('both instances count again', async () => (await b.limiter.peek([['acct:x', RULE]]))[0]?.remaining === 2 && (await a.limiter.peek([['acct:x', RULE]]))[0]?.remaining === 2);
    await b.limiter.consume('acct:x', RULE);
    await a.limiter.consume('acct:x', RULE);
    expect((await b.limiter.peek([['acct:x', RULE]]))[0]).toMatchObject({ allowed: false, remaining: 0 });

    // Both subscriptions restored, then a revocation crosses over Redis again (the poll is at 10 s).
    const observer = new Redis(TEST_REDIS_URL);
    try {
      await until('both instances subscribe again', async () => {
        const [, count] = (await observer.pubsub('NUMSUB', `${prefix}revocations`)) as [string, number];
        return Number(count) === 2;
      });
    } finally {
      observer.disconnect();
    }
    const owner = await createUser(a, system, { email: 'owner@example.com', password: 'correct horse battery staple', admin: false });
    const { key, secret } = await createKey(a, { ...system, user: owner }, { ownerId: owner.id, name: 'k', scopes: ['read'], expiresAt: null });
    expect((await b.apiKeys.verify(secret)).id).toBe(key.id);
    let heardByB: number | undefined;
    b.revocations.subscribe((id) => {
      if (id === key.id) heardByB ??= performance.now();
    });
    const revokedAt = performance.now();
    await revokeKey(a, { ...system, user: owner }, key.id);
    while (heardByB === undefined && performance.now() - revokedAt < 1_000) await new Promise((r) => setTimeout(r, 1));
    expect(heardByB, 'the other instance never heard the revocation').toBeDefined();
    expect(heardByB! - revokedAt).toBeLessThan(50);
    await expect(b.apiKeys.verify(secret)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('never logs the Redis URL or its password', async (ctx) => {
    target = await postgres.setup();
    if (!target) return ctx.skip();
    const lines: string[] = [];
    const capture = (msg: string, fields?: Record<string, unknown>) => lines.push(JSON.stringify([msg, fields]));
    const logger: Logger = { debug: capture, info: capture, warn: capture, error: capture };
    const url = (await closedRedisUrl()).replace('redis://', 'redis://:s3cret-redis-pass@');
    const rt = await instance({ REDIS_URL: url }, logger);
    await rt.limiter.consume('k', RULE);
    await rt.revocations.publish('some-id');
    await new Promise((r) => setTimeout(r, 300));
    expect(lines.some((l) => l.includes('redis'))).toBe(true); // the outage is logged…
    expect(lines.join('\n')).not.toContain('s3cret-redis-pass'); // …without the secret
    expect(lines.join('\n')).not.toContain(url);
  });
});
