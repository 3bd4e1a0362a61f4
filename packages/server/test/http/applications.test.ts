/**
 * /v1/applications over real HTTP, with an `admin` API key and with a console session: register
 * (secret shown once, stored hashed), list, get, update, rotate, delete; redirect-URI and scope
 * validation; ownership (someone else's app is a 404); the audit trail.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { hashSecret, issueSecret } from '../../src/core/credentials.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { BACKENDS } from '../helpers/backends.js';
import { type ConsoleSession, call, consoleLogin, expectApiError, obj } from '../helpers/http.js';
import { type TestServer, seedKey, seedUser, useServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const ALL = ['read', 'write', 'delete', 'admin'];
const CS = /^cs_[0-9A-Za-z]{36}$/;

describe.each(BACKENDS)('/v1/applications on $name', (backend) => {
  const clock = new FakeClock();
  let alice: UserRecord;
  let bob: UserRecord;
  let aliceKey: string;
  let bobKey: string;
  let session: ConsoleSession;
  const secrets: string[] = [];

  const getServer = useServer(backend, { clock }, async (server) => {
    await seedUser(server, 'root@example.com', PASSWORD); // the deployment's admin (first account)
    alice = await seedUser(server, 'alice@example.com', PASSWORD);
    bob = await seedUser(server, 'bob@example.com', PASSWORD);
    aliceKey = (await seedKey(server, alice, ALL)).secret;
    bobKey = (await seedKey(server, bob, ALL)).secret;
    session = await consoleLogin(server.url, 'alice@example.com', PASSWORD);
  });

  const APP = { name: 'Acme Dashboard', redirect_uris: ['https://app.example.com/callback'], scopes: ['read', 'write'] };
  const post = (s: TestServer, json: unknown, token = aliceKey) => call(s.url, 'POST', '/v1/applications', { token, json });
  const register = async (s: TestServer, json: unknown = APP, token = aliceKey) => {
    const r = await post(s, json, token);
    expect(r.res.status, r.text).toBe(201);
    const body = obj(r);
    if (typeof body.client_secret === 'string') secrets.push(body.client_secret);
    return { r, body, id: body.client_id as string, secret: body.client_secret as string | null };
  };
  const stored = (s: TestServer, id: string) => s.runtime.store.oauth.clients.get(id);
  /** The token endpoint's verdict on a client secret (client_credentials, client_secret_post). */
  const tokenStatus = async (s: TestServer, clientId: string, secret: string) => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'read' });
    const r = await call(s.url, 'POST', '/oauth/token', { body });
    if (r.res.status !== 200) expect(obj(r).error, r.text).toBe('invalid_client');
    return r.res.status;
  };

  it('gives a new app the default refresh reuse window of 30 s unless it asks for another, 0 included', async (ctx) => {
    const server = getServer(ctx);
    const byDefault = await register(server, APP);
    expect(byDefault.body.refresh_grace_seconds).toBe(30);
    expect(await stored(server, byDefault.id)).toMatchObject({ refreshGraceSeconds: 30 });
    const strict = await register(server, { ...APP, refresh_grace_seconds: 0 });
    expect(strict.body.refresh_grace_seconds).toBe(0);
    expect(await stored(server, strict.id)).toMatchObject({ refreshGraceSeconds: 0 });
  });

  it('registers a confidential app: 201, no-store, the secret once, stored only as its hash', async (ctx) => {
    const server = getServer(ctx);
    const { r, body, id, secret } = await register(server, { ...APP, jwt_access_tokens: true, refresh_grace_seconds: 30 });
    expect(r.res.headers.get('cache-control')).toBe('no-store');
    expect(secret).toMatch(CS);
    expect(body).toEqual({
      client_id: expect.stringMatching(/^app_[0-9A-Za-z]{20}$/),
      owner_id: alice.id,
      name: 'Acme Dashboard',
      type: 'confidential',
      redirect_uris: ['https://app.example.com/callback'],
      scopes: ['read', 'write'],
      jwt_access_tokens: true,
      refresh_grace_seconds: 30,
      client_secret_start: secret!.slice(0, 7),
      client_secret: secret,
      created_at: new Date(clock.now()).toISOString(),
      updated_at: new Date(clock.now()).toISOString(),
    });
    const record = await stored(server, id);
    expect(record?.secretHash).toBe(hashSecret(secret!));
    expect(JSON.stringify(record)).not.toContain(secret!);

    const one = await call(server.url, 'GET', `/v1/applications/${id}`, { token: aliceKey });
    expect(one.res.status).toBe(200);
    expect(obj(one)).not.toHaveProperty('client_secret');
    expect(obj(one)).toMatchObject({ client_id: id, name: 'Acme Dashboard', jwt_access_tokens: true });
    const list = await call(server.url, 'GET', '/v1/applications', { token: aliceKey });
    const data = obj(list).data as Array<Record<string, unknown>>;
    expect(data.map((a) => a.client_id)).toContain(id);
    expect(data.every((a) => a.owner_id === alice.id && !('client_secret' in a))).toBe(true);
    for (const s of secrets) {
      expect(one.text).not.toContain(s);
      expect(list.text).not.toContain(s);
    }
  });

  it('registers a public app from a console session (X-CSRF-Token required): no secret at all', async (ctx) => {
    const server = getServer(ctx);
    const json = { ...APP, type: 'public', redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/oauth'] };
    expectApiError(await call(server.url, 'POST', '/v1/applications', { session, json }), 403);
    const r = await call(server.url, 'POST', '/v1/applications', { session, json, headers: { 'X-CSRF-Token': session.csrf } });
    expect(r.res.status, r.text).toBe(201);
    expect(obj(r)).toMatchObject({ type: 'public', client_secret: null, client_secret_start: null, owner_id: alice.id, redirect_uris: json.redirect_uris });
    const record = await stored(server, obj(r).client_id as string);
    expect(record).toMatchObject({ type: 'public', secretHash: null, secretStart: null });
    expectApiError(await call(server.url, 'POST', `/v1/applications/${record!.id}/rotate-secret`, { token: aliceKey }), 400);
  });

  it('refuses bad redirect URIs (400), and bad shapes, empty lists and unknown fields (422)', async (ctx) => {
    const server = getServer(ctx);
    const before = (await server.runtime.store.oauth.clients.list(alice.id)).length;
    for (const [uri, reason] of [
      ['http://app.example.com/callback', /https/],
      ['https://app.example.com/callback#done', /fragment/],
      ['/callback', /absolute/],
      ['app.example.com/callback', /absolute/],
      ['javascript:alert(1)', /https/],
      ['https://user:pw@app.example.com/cb', /credentials/],
    ] as const) {
      expect(expectApiError(await post(server, { ...APP, redirect_uris: [uri] }), 400).detail, uri).toMatch(reason);
    }
    const unknown = expectApiError(await post(server, { ...APP, scopes: ['read', 'superuser'] }), 400);
    expect(unknown.extra.unknown_scopes).toEqual(['superuser']);
    for (const [body, field] of [
      [{ ...APP, scopes: [] }, 'scopes'],
      [{ ...APP, redirect_uris: [] }, 'redirect_uris'],
      [{ ...APP, name: '' }, 'name'],
      [{ ...APP, type: 'trusted' }, 'type'],
      [{ ...APP, refresh_grace_seconds: 301 }, 'refresh_grace_seconds'],
      [{ ...APP, refresh_grace_seconds: 1.5 }, 'refresh_grace_seconds'],
      [{ ...APP, jwt_access_tokens: 'yes' }, 'jwt_access_tokens'],
    ] as const) {
      const e = expectApiError(await post(server, body), 422);
      expect((e.extra.errors as Array<{ field: string }>).map((x) => x.field), field).toContain(field);
    }
    for (const extra of [{ owner_id: bob.id }, { client_secret: 'cs_mine' }, { client_id: 'app_chosen' }]) {
      expect(JSON.stringify(expectApiError(await post(server, { ...APP, ...extra }), 422).extra)).toContain(Object.keys(extra)[0]);
    }
    expect((await server.runtime.store.oauth.clients.list(alice.id)).length).toBe(before);
  });

  it('updates name, redirect URIs, scopes and options with PATCH; the secret is untouched', async (ctx) => {
    const server = getServer(ctx);
    const { id, secret } = await register(server);
    clock.advance(60_000);
    const patch = { name: 'Acme v2', redirect_uris: ['https://app.example.com/cb2', 'http://localhost:8765/cb'], scopes: ['read'], jwt_access_tokens: true, refresh_grace_seconds: 120 };
    const r = await call(server.url, 'PATCH', `/v1/applications/${id}`, { token: aliceKey, json: patch });
    expect(r.res.status, r.text).toBe(200);
    expect(obj(r)).toMatchObject({ ...patch, client_id: id, type: 'confidential', updated_at: new Date(clock.now()).toISOString() });
    expect(obj(r)).not.toHaveProperty('client_secret');
    expect(obj(r).created_at).not.toBe(obj(r).updated_at);
    expect((await stored(server, id))?.secretHash).toBe(hashSecret(secret!));

    const bad = await call(server.url, 'PATCH', `/v1/applications/${id}`, { token: aliceKey, json: { redirect_uris: ['http://evil.example.com/cb'] } });
    expectApiError(bad, 400);
    expectApiError(await call(server.url, 'PATCH', `/v1/applications/${id}`, { token: aliceKey, json: { scopes: ['root'] } }), 400);
    expectApiError(await call(server.url, 'PATCH', `/v1/applications/${id}`, { token: aliceKey, json: {} }), 422);
    expect(JSON.stringify(expectApiError(await call(server.url, 'PATCH', `/v1/applications/${id}`, { token: aliceKey, json: { type: 'public' } }), 422).extra)).toContain('type');
    expect(await stored(server, id)).toMatchObject({ name: 'Acme v2', type: 'confidential', redirectUris: patch.redirect_uris, scopes: ['read'] });
  });

  it('a PATCH reaches the token endpoint at once, though it caches apps for client authentication', async (ctx) => {
    const server = getServer(ctx);
    const { id, secret } = await register(server);
    const grant = (scope: string) =>
      call(server.url, 'POST', '/oauth/token', { body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret!, scope }) });
    expect((await grant('write')).res.status).toBe(200);
    expect((await call(server.url, 'PATCH', `/v1/applications/${id}`, { token: aliceKey, json: { scopes: ['read'] } })).res.status).toBe(200);
    const narrowed = await grant('write');
    expect(narrowed.res.status).toBe(400);
    expect(obj(narrowed).error).toBe('invalid_scope');
    expect((await grant('read')).res.status).toBe(200);
  });

  it('rotates the secret: a new cs_ once, the old hash is replaced, the old secret stops at the token endpoint', async (ctx) => {
    const server = getServer(ctx);
    const { id, secret: old } = await register(server);
    expect(await tokenStatus(server, id, old!)).toBe(200);
    const r = await call(server.url, 'POST', `/v1/applications/${id}/rotate-secret`, { token: aliceKey });
    expect(r.res.status, r.text).toBe(200);
    expect(r.res.headers.get('cache-control')).toBe('no-store');
    const fresh = obj(r).client_secret as string;
    secrets.push(fresh);
    expect(fresh).toMatch(CS);
    expect(fresh).not.toBe(old);
    const record = await stored(server, id);
    expect(record?.secretHash).toBe(hashSecret(fresh));
    expect(record?.secretHash).not.toBe(hashSecret(old!));
    expect(obj(r).client_secret_start).toBe(fresh.slice(0, 7));
    expect(await tokenStatus(server, id, old!)).toBe(401);
    expect(await tokenStatus(server, id, fresh)).toBe(200);
    expect((await call(server.url, 'GET', `/v1/applications/${id}`, { token: aliceKey })).text).not.toContain(fresh);
  });

  it('deletes with 204: the app is gone and the tokens it held stop resolving', async (ctx) => {
    const server = getServer(ctx);
    const { id, secret } = await register(server);
    const oauth = server.runtime.store.oauth;
    const access = issueSecret('at_');
    const now = clock.now();
    await oauth.grants.create(
      { id: `grt_del_${backend.name}`, clientId: id, userId: bob.id, scopes: ['read'], createdAt: now, revokedAt: null, lastUsedAt: null },
      { access: { hash: access.hash, grantId: `grt_del_${backend.name}`, scopes: ['read'], createdAt: now, expiresAt: now + 3_600_000 }, refresh: null },
      null,
    );
    expect(await oauth.tokens.findAccess(access.hash)).toBeDefined();
    const r = await call(server.url, 'DELETE', `/v1/applications/${id}`, { token: aliceKey });
    expect(r.res.status, r.text).toBe(204);
    expect(r.text).toBe('');
    expect(await stored(server, id)).toBeUndefined();
    expect(await oauth.tokens.findAccess(access.hash)).toBeUndefined();
    expect(await tokenStatus(server, id, secret!)).toBe(401);
    expectApiError(await call(server.url, 'GET', `/v1/applications/${id}`, { token: aliceKey }), 404);
    expectApiError(await call(server.url, 'DELETE', `/v1/applications/${id}`, { token: aliceKey }), 404);
  });

  it("answers 404 for another user's app on every route, and leaves it alone", async (ctx) => {
    const server = getServer(ctx);
    const { id, secret } = await register(server, { ...APP, name: "Bob's app" }, bobKey);
    for (const [method, suffix, json] of [
      ['GET', '', undefined],
      ['PATCH', '', { name: 'taken over' }],
      ['POST', '/rotate-secret', undefined],
      ['DELETE', '', undefined],
    ] as const) {
      expectApiError(await call(server.url, method, `/v1/applications/${id}${suffix}`, { token: aliceKey, ...(json ? { json } : {}) }), 404);
      const viaSession = await call(server.url, method, `/v1/applications/${id}${suffix}`, { session, headers: { 'X-CSRF-Token': session.csrf }, ...(json ? { json } : {}) });
      expectApiError(viaSession, 404);
    }
    expectApiError(await call(server.url, 'GET', '/v1/applications/app_doesnotexist', { token: aliceKey }), 404);
    expect(await stored(server, id)).toMatchObject({ name: "Bob's app", ownerId: bob.id, secretHash: hashSecret(secret!) });
    expect((await call(server.url, 'GET', '/v1/applications', { token: aliceKey })).text).not.toContain(id);
  });

  it('needs admin on a key (403), and a key cannot give an app scopes it lacks', async (ctx) => {
    const server = getServer(ctx);
    const { secret: plain } = await seedKey(server, alice, ['read', 'write', 'delete']);
    for (const [method, json] of [['GET', undefined], ['POST', APP]] as const) {
      const r = await call(server.url, method, '/v1/applications', { token: plain, ...(json ? { json } : {}) });
      expect(expectApiError(r, 403).extra).toEqual({ required_scopes: ['admin'] });
    }
    expectApiError(await call(server.url, 'GET', '/v1/applications'), 401);
    const { secret: adminOnly } = await seedKey(server, alice, ['read', 'admin']);
    const widened = expectApiError(await post(server, { ...APP, scopes: ['read', 'delete'] }, adminOnly), 403);
    expect(widened.extra.refused_scopes).toEqual(['delete']);
    const { id } = await register(server, { ...APP, scopes: ['read'] }, adminOnly);
    const patched = await call(server.url, 'PATCH', `/v1/applications/${id}`, { token: adminOnly, json: { scopes: ['write'] } });
    expect(expectApiError(patched, 403).extra.refused_scopes).toEqual(['write']);
  });

  it('audits create, update, rotate and delete, with no secret in the log', async (ctx) => {
    const server = getServer(ctx);
    const { id } = await register(server);
    await call(server.url, 'PATCH', `/v1/applications/${id}`, { token: aliceKey, json: { name: 'audited' } });
    secrets.push(obj(await call(server.url, 'POST', `/v1/applications/${id}/rotate-secret`, { token: aliceKey })).client_secret as string);
    await call(server.url, 'DELETE', `/v1/applications/${id}`, { token: aliceKey });
    const log = await call(server.url, 'GET', '/v1/admin/audit-log?limit=200', { token: aliceKey });
    expect(log.res.status, log.text).toBe(200);
    const entries = obj(log).data as Array<Record<string, unknown>>;
    for (const action of ['client.create', 'client.update', 'client.rotate_secret', 'client.delete']) {
      expect(entries.find((e) => e.action === action && e.target === id), action).toMatchObject({ actor_type: 'api_key', subject_user_id: alice.id });
    }
    for (const s of secrets) expect(log.text).not.toContain(s);
  });
});
