/**
 * The sample protected API /v1/agents over real HTTP: the seed's exact request, scope checks
 * per method (403 + WWW-Authenticate insufficient_scope), every kind of 401, per-owner
 * isolation, the GATEHOUSE_SAMPLE_API switch, and who may read the admin audit log.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { checksum, issueSecret } from '../../src/core/credentials.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { BACKENDS } from '../helpers/backends.js';
import { type CallResult, call, expectApiError, obj } from '../helpers/http.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

const ALL = ['read', 'write', 'delete', 'admin'];

function expectUnauthorized(r: CallResult, tokenSent: boolean): void {
  expectApiError(r, 401);
  const www = r.res.headers.get('www-authenticate') ?? '';
  expect(www).toMatch(/^Bearer realm="gatehouse"/);
  if (tokenSent) expect(www).toContain('error="invalid_token"');
  else expect(www).toBe('Bearer realm="gatehouse"');
}

describe.each(BACKENDS)('/v1/agents on $name', (backend) => {
  const clock = new FakeClock();
  let root: UserRecord;
  let alice: UserRecord;
  let bob: UserRecord;
  let aliceAll: string;
  let bobAll: string;

  const getServer = useServer(backend, { clock }, async (server) => {
    root = await seedUser(server, 'root@example.com'); // first account: admin
    alice = await seedUser(server, 'alice@example.com');
    bob = await seedUser(server, 'bob@example.com');
    aliceAll = (await seedKey(server, alice, ALL)).secret;
    bobAll = (await seedKey(server, bob, ALL)).secret;
  });

  it("answers the seed's exact request, and lists what was created", async (ctx) => {
    const server = getServer(ctx);
    const { secret } = await seedKey(server, alice, ['read']);
    const seed = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' };
    const empty = await fetch(`${server.url}/v1/agents`, { headers: seed });
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toMatch(/^application\/json/);
    const before = ((await empty.json()) as { data: unknown[] }).data.length;

    const created = await call(server.url, 'POST', '/v1/agents', { token: aliceAll, json: { name: 'Scout', description: 'finds things' } });
    expect(created.res.status, created.text).toBe(201);
    expect(obj(created)).toMatchObject({ id: expect.stringMatching(/^agt_/), name: 'Scout', description: 'finds things' });

    const after = await fetch(`${server.url}/v1/agents`, { headers: seed });
    const data = ((await after.json()) as { data: Array<{ id: string }> }).data;
    expect(data.length).toBe(before + 1);
    expect(data.map((a) => a.id)).toContain(obj(created).id);
  });

  it('needs read for GET, write for POST and PATCH, delete for DELETE', async (ctx) => {
    const server = getServer(ctx);
    const keys: Record<string, string> = {};
    for (const scope of ['read', 'write', 'delete']) keys[scope] = (await seedKey(server, alice, [scope])).secret;
    const newAgent = async () => obj(await call(server.url, 'POST', '/v1/agents', { token: aliceAll, json: { name: 'target' } })).id as string;

    const routes = [
      { method: 'GET', path: async () => '/v1/agents', needs: 'read', ok: 200, json: undefined },
      { method: 'GET', path: async () => `/v1/agents/${await newAgent()}`, needs: 'read', ok: 200, json: undefined },
      { method: 'POST', path: async () => '/v1/agents', needs: 'write', ok: 201, json: { name: 'made' } },
      { method: 'PATCH', path: async () => `/v1/agents/${await newAgent()}`, needs: 'write', ok: 200, json: { description: 'changed' } },
      { method: 'DELETE', path: async () => `/v1/agents/${await newAgent()}`, needs: 'delete', ok: 204, json: undefined },
    ];
    for (const route of routes) {
      for (const [scope, token] of Object.entries(keys)) {
        const path = await route.path();
        const r = await call(server.url, route.method, path, { token, ...(route.json ? { json: route.json } : {}) });
        const label = `${route.method} ${route.needs} with ${scope}`;
        if (scope === route.needs) {
          expect(r.res.status, `${label}: ${r.text}`).toBe(route.ok);
          continue;
        }
        const body = expectApiError(r, 403);
        expect(body.extra, label).toEqual({ required_scopes: [route.needs] });
        expect(body.detail).toContain(route.needs);
        const www = r.res.headers.get('www-authenticate') ?? '';
        expect(www, label).toMatch(/^Bearer /);
        expect(www, label).toContain(`error="insufficient_scope", scope="${route.needs}"`);
      }
    }
  });

  it('answers 401 with the error shape for a missing, malformed, forged or unknown credential', async (ctx) => {
    const server = getServer(ctx);
    expectUnauthorized(await call(server.url, 'GET', '/v1/agents'), false);
    expectUnauthorized(await call(server.url, 'POST', '/v1/agents', { json: { name: 'x' } }), false);

    const { secret } = await seedKey(server, alice, ['read']);
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    const forged = `sk_${'Z'.repeat(30)}`;
    const unknown = issueSecret('sk_').secret;
    expect(checksum(unknown.slice(0, 33))).toBe(unknown.slice(33));
    const headers = [
      'Basic YWxpY2U6cGFzc3dvcmQ=',
      'Bearer',
      `Bearer ${secret} ${secret}`,
      `Bearer ${secret.slice(0, -1)}${last}`, // wrong checksum
      `Bearer ${forged}${'0'.repeat(6)}`,
      `Bearer ${unknown}`, // well-formed, checksum right, never issued
      `Token ${secret}`,
    ];
    for (const header of headers) {
      const r = await call(server.url, 'GET', '/v1/agents', { headers: { Authorization: header } });
      expectUnauthorized(r, true);
      expect(r.text).not.toContain(secret);
    }
    expect((await call(server.url, 'GET', '/v1/agents', { token: secret })).res.status).toBe(200);
  });

  it('refuses a request exactly as the product /v1 routes do: same status, body, challenge and media type', async (ctx) => {
    const server = getServer(ctx);
    const { secret } = await seedKey(server, alice, ['read']);
    for (const headers of [{}, { Authorization: 'Basic YWxpY2U6cGFzc3dvcmQ=' }, { Authorization: `Bearer ${issueSecret('sk_').secret}` }, { Authorization: `Bearer ${secret.slice(0, -1)}` }]) {
      const sample = await call(server.url, 'GET', '/v1/agents', { headers });
      const product = await call(server.url, 'GET', '/v1/api-keys', { headers });
      expect(sample.res.status).toBe(401);
      expect(sample.text).toBe(product.text);
      for (const name of ['www-authenticate', 'content-type']) expect(sample.res.headers.get(name), name).toBe(product.res.headers.get(name));
    }
  });

  it("refuses an account's agent past the sample's bound with 409, and takes new ones once some are deleted", async (ctx) => {
    const server = getServer(ctx);
    const carol = await seedUser(server, `carol-${backend.name}@example.com`);
    const { secret } = await seedKey(server, carol, ALL);
    const create = (name: string) => call(server!.url, 'POST', '/v1/agents', { token: secret, json: { name } });
    for (let i = 0; i < 1000; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => create(`agent ${i + j}`)));
      for (const r of batch) expect(r.res.status, r.text).toBe(201);
    }
    const refused = expectApiError(await create('one too many'), 409);
    expect(refused.detail).toBe('An account may keep at most 1000 sample agents');
    const [first] = (obj(await call(server.url, 'GET', '/v1/agents', { token: secret })).data as Array<{ id: string }>);
    expect((await call(server.url, 'DELETE', `/v1/agents/${first!.id}`, { token: secret })).res.status).toBe(204);
    expect((await create('room again')).res.status).toBe(201);
    // Another account is not affected.
    expect((await call(server.url, 'POST', '/v1/agents', { token: bobAll, json: { name: 'still fine' } })).res.status).toBe(201);
  });

  it('refuses an expired key once the clock passes its expiry', async (ctx) => {
    const server = getServer(ctx);
    const { secret } = await seedKey(server, alice, ['read'], clock.now() + 60_000);
    expect((await call(server.url, 'GET', '/v1/agents', { token: secret })).res.status).toBe(200);
    clock.advance(61_000);
    expectUnauthorized(await call(server.url, 'GET', '/v1/agents', { token: secret }), true);
    expect((await call(server.url, 'GET', '/v1/agents', { token: aliceAll })).res.status).toBe(200);
  });

  it('refuses a revoked key', async (ctx) => {
    const server = getServer(ctx);
    const { key, secret } = await seedKey(server, alice, ['read']);
    expect((await call(server.url, 'GET', '/v1/agents', { token: secret })).res.status).toBe(200);
    expect((await call(server.url, 'POST', `/v1/api-keys/${key.id}/revoke`, { token: aliceAll })).res.status).toBe(200);
    expectUnauthorized(await call(server.url, 'GET', '/v1/agents', { token: secret }), true);
  });

  it("keeps agents to their owner: another account's key gets 404", async (ctx) => {
    const server = getServer(ctx);
    const created = await call(server.url, 'POST', '/v1/agents', { token: aliceAll, json: { name: "alice's" } });
    const id = obj(created).id as string;
    expectApiError(await call(server.url, 'GET', `/v1/agents/${id}`, { token: bobAll }), 404);
    expectApiError(await call(server.url, 'PATCH', `/v1/agents/${id}`, { token: bobAll, json: { name: 'stolen' } }), 404);
    expectApiError(await call(server.url, 'DELETE', `/v1/agents/${id}`, { token: bobAll }), 404);
    const bobsList = await call(server.url, 'GET', '/v1/agents', { token: bobAll });
    expect(bobsList.text).not.toContain(id);
    const still = await call(server.url, 'GET', `/v1/agents/${id}`, { token: aliceAll });
    expect(obj(still)).toMatchObject({ id, name: "alice's" });
  });

  it('patches and deletes an agent', async (ctx) => {
    const server = getServer(ctx);
    const id = obj(await call(server.url, 'POST', '/v1/agents', { token: aliceAll, json: { name: 'old' } })).id as string;
    clock.advance(1000);
    const patched = await call(server.url, 'PATCH', `/v1/agents/${id}`, { token: aliceAll, json: { name: 'new' } });
    expect(obj(patched)).toMatchObject({ id, name: 'new', description: '' });
    expect(Date.parse(obj(patched).updated_at as string)).toBeGreaterThan(Date.parse(obj(patched).created_at as string));
    expect((await call(server.url, 'DELETE', `/v1/agents/${id}`, { token: aliceAll })).res.status).toBe(204);
    expectApiError(await call(server.url, 'GET', `/v1/agents/${id}`, { token: aliceAll }), 404);
  });

  it('scopes the admin audit log: admin scope needed; admins see all, others only their account', async (ctx) => {
    const server = getServer(ctx);
    const readOnly = (await seedKey(server, root, ['read', 'write', 'delete'])).secret;
    const denied = expectApiError(await call(server.url, 'GET', '/v1/admin/audit-log', { token: readOnly }), 403);
    expect(denied.extra).toEqual({ required_scopes: ['admin'] });
    expectUnauthorized(await call(server.url, 'GET', '/v1/admin/audit-log'), false);

    const rootAdmin = (await seedKey(server, root, ['admin'])).secret;
    const all = obj(await call(server.url, 'GET', '/v1/admin/audit-log?limit=200', { token: rootAdmin })).data as Array<Record<string, unknown>>;
    const subjects = new Set(all.map((e) => e.subject_user_id));
    expect(subjects).toContain(alice.id);
    expect(subjects).toContain(bob.id);
    expect(subjects).toContain(root.id);

    const mine = obj(await call(server.url, 'GET', '/v1/admin/audit-log?limit=200', { token: aliceAll })).data as Array<Record<string, unknown>>;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.subject_user_id === alice.id)).toBe(true);
    expect(mine.length).toBe(all.filter((e) => e.subject_user_id === alice.id).length);
  });
});

describe.each(BACKENDS)('GATEHOUSE_SAMPLE_API=false on $name', (backend) => {
  const getServer = useServer(backend, { env: { GATEHOUSE_SAMPLE_API: 'false' } });

  it('turns /v1/agents off (404) and leaves the rest of /v1 on', async (ctx) => {
    const server = getServer(ctx);
    const user = await seedUser(server);
    const { secret } = await seedKey(server, user, ALL);
    expectApiError(await call(server.url, 'GET', '/v1/agents', { token: secret }), 404);
    expectApiError(await call(server.url, 'POST', '/v1/agents', { token: secret, json: { name: 'x' } }), 404);
    expectApiError(await call(server.url, 'GET', '/v1/agents/agt_x', { token: secret }), 404);
    expect((await call(server.url, 'GET', '/v1/api-keys', { token: secret })).res.status).toBe(200);
  });
});
