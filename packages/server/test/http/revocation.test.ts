/**
 * Revocation takes effect at once on the instance that made it and within one second on every
 * other instance sharing the database (DESIGN.md, "Hot path"). Two real servers run on the same
 * database; both hold the key in their verification cache before it is revoked or rolled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { FakeClock } from '../../src/core/clock.js';
import { type RunningServer, startServer } from '../../src/server.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { BACKENDS } from '../helpers/backends.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

/** The bound this suite holds other instances to. */
const PROPAGATION_MS = 1000;

const agents = async (url: string, secret: string) => (await fetch(`${url}/v1/agents`, { headers: { Authorization: `Bearer ${secret}` } })).status;

/** Milliseconds until `url` refuses `secret` (polling); gives up a while after the bound so a failure reports the delay. */
async function msUntilRefused(url: string, secret: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    const status = await agents(url, secret);
    const elapsed = performance.now() - started;
    if (status === 401) return elapsed;
    expect(status).toBe(200);
    if (elapsed > PROPAGATION_MS * 5) return elapsed;
    await sleep(20);
  }
}

async function warm(urls: string[], secret: string) {
  for (const url of urls) {
    expect(await agents(url, secret)).toBe(200);
    expect(await agents(url, secret)).toBe(200);
  }
}

const post = (url: string, path: string, secret: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe.each(BACKENDS)('revocation across instances on $name', (backend) => {
  let second: RunningServer | undefined;
  let owner: UserRecord;
  let admin: string;
  const getFirst = useServer(backend, {}, async (first) => {
    second = await startServer(loadConfig({ ...first.backend.env, PORT: '0', HOST: '127.0.0.1', GATEHOUSE_LOG_LEVEL: 'silent' }));
    owner = await seedUser(first);
    admin = (await seedKey(first, owner, ['read', 'admin'])).secret;
  });
  // The second instance only closes its connections; registered after useServer, it runs before
  // the first instance is disposed of and drops the database.
  afterAll(async () => {
    await second?.close();
  });
  /** Both instances; the second exists whenever the first does (the same setup started it). */
  const instances = (ctx: TestContext) => ({ first: getFirst(ctx), second: second! });

  it('a revocation through the API is immediate here and within 1 s on the other instance', async (ctx) => {
    const { first, second } = instances(ctx);
    const { key, secret } = await seedKey(first, owner, ['read']);
    await warm([first.url, second.url], secret);
    const res = await post(first.url, `/v1/api-keys/${key.id}/revoke`, admin);
    expect(res.status).toBe(200);
    expect(await agents(first.url, secret)).toBe(401);
    expect(await msUntilRefused(second.url, secret)).toBeLessThanOrEqual(PROPAGATION_MS);
    expect(await agents(second.url, secret)).toBe(401);
  });

  it('a revocation by the CLI reaches both running instances within 1 s', async (ctx) => {
    const { first, second } = instances(ctx);
    const { key, secret } = await seedKey(first, owner, ['read']);
    await warm([first.url, second.url], secret);
    const errors: string[] = [];
    const io = { env: { ...first.backend.env }, out: () => {}, err: (t: string) => errors.push(t), readStdin: async () => '' };
    expect(await runCli(['keys', 'revoke', key.id], io), errors.join('\n')).toBe(0);
    const delays = await Promise.all([msUntilRefused(first.url, secret), msUntilRefused(second.url, secret)]);
    for (const ms of delays) expect(ms).toBeLessThanOrEqual(PROPAGATION_MS);
  });

  it('a roll without grace kills the old secret at once here, within 1 s elsewhere; the new one works on both', async (ctx) => {
    const { first, second } = instances(ctx);
    const { key, secret } = await seedKey(first, owner, ['read']);
    await warm([first.url, second.url], secret);
    const res = await post(first.url, `/v1/api-keys/${key.id}/roll`, admin, { grace_seconds: 0 });
    expect(res.status).toBe(200);
    const rolled = (await res.json()) as { key: string };
    expect(rolled.key).not.toBe(secret);
    expect(await agents(first.url, secret)).toBe(401);
    expect(await agents(first.url, rolled.key)).toBe(200);
    expect(await msUntilRefused(second.url, secret)).toBeLessThanOrEqual(PROPAGATION_MS);
    expect(await agents(second.url, rolled.key)).toBe(200);
  });
  it('a rotated app secret is refused at once here and within 1 s elsewhere (apps are cached for client authentication)', async (ctx) => {
    const { first, second } = instances(ctx);
    const created = await post(first.url, '/v1/applications', admin, { name: 'cached app', type: 'confidential', redirect_uris: ['https://app.example/cb'], scopes: ['read'] });
    expect(created.status).toBe(201);
    const app = (await created.json()) as { client_id: string; client_secret: string };
    const introspect = (url: string, secret: string) =>
      fetch(`${url}/oauth/introspect`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(`${app.client_id}:${secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'token=at_unknown',
      }).then((r) => r.status);
    for (const url of [first.url, second.url]) expect(await introspect(url, app.client_secret)).toBe(200);
    const rotated = await post(first.url, `/v1/applications/${app.client_id}/rotate-secret`, admin);
    expect(rotated.status).toBe(200);
    const fresh = ((await rotated.json()) as { client_secret: string }).client_secret;
    expect(await introspect(first.url, app.client_secret)).toBe(401);
    expect(await introspect(first.url, fresh)).toBe(200);
    const started = Date.now();
    while ((await introspect(second.url, app.client_secret)) !== 401 && Date.now() - started < PROPAGATION_MS * 3) await sleep(20);
    expect(Date.now() - started).toBeLessThanOrEqual(PROPAGATION_MS);
    expect(await introspect(second.url, fresh)).toBe(200);
  });
});

describe.each(BACKENDS)('a roll with a grace period on $name', (backend) => {
  const clock = new FakeClock();
  const getServer = useServer(backend, { clock });

  it('keeps the old secret working until the grace ends, and refuses it right after', async (ctx) => {
    const server = getServer(ctx);
    const owner = await seedUser(server);
    const admin = (await seedKey(server, owner, ['read', 'admin'])).secret;
    const { key, secret } = await seedKey(server, owner, ['read']);
    await warm([server.url], secret);
    const res = await post(server.url, `/v1/api-keys/${key.id}/roll`, admin, { grace_seconds: 3600 });
    expect(res.status).toBe(200);
    const rolled = (await res.json()) as { key: string };

    expect(await agents(server.url, secret)).toBe(200);
    expect(await agents(server.url, rolled.key)).toBe(200);
    clock.advance(3_600_000 - 1);
    expect(await agents(server.url, secret)).toBe(200);
    clock.advance(2);
    expect(await agents(server.url, secret)).toBe(401);
    expect(await agents(server.url, rolled.key)).toBe(200);
  });
});
