/**
 * /v1/api-keys over real HTTP, with an `admin`-scoped API key and with a console session
 * (cookie + X-CSRF-Token): create (secret shown once), list, get, revoke, roll with and
 * without grace, authorization, validation, and the audit trail of every change.
 */
import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../src/core/model/user.js';
import { BACKENDS } from '../helpers/backends.js';
import { type ConsoleSession, call, consoleLogin, expectApiError, obj } from '../helpers/http.js';
import { type TestServer, seedKey, seedUser, useServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const ALL = ['read', 'write', 'delete', 'admin'];

describe.each(BACKENDS)('/v1/api-keys on $name', (backend) => {
  let alice: UserRecord;
  let bob: UserRecord;
  let aliceAdminKey: string;
  let aliceAdminKeyId: string;
  /** Every secret issued in this suite, to prove none reaches the audit log or a later read. */
  const secrets: string[] = [];

  const getServer = useServer(backend, {}, async (server) => {
    await seedUser(server, 'root@example.com', PASSWORD); // the first account: the deployment's admin
    alice = await seedUser(server, 'alice@example.com', PASSWORD);
    bob = await seedUser(server, 'bob@example.com', PASSWORD);
    const k = await seedKey(server, alice, ALL);
    aliceAdminKey = k.secret;
    aliceAdminKeyId = k.key.id;
    secrets.push(k.secret);
  });

  const create = async (s: TestServer, name: string, scopes: string[], auth: { token: string } | { session: ConsoleSession }) => {
    const extra = 'session' in auth ? { session: auth.session, headers: { 'X-CSRF-Token': auth.session.csrf } } : { token: auth.token };
    const r = await call(s.url, 'POST', '/v1/api-keys', { json: { name, scopes }, ...extra });
    expect(r.res.status, r.text).toBe(201);
    const body = obj(r);
    secrets.push(body.key as string);
    return { r, body, secret: body.key as string, id: body.key_id as string };
  };
  const agentsStatus = async (s: TestServer, token: string) => (await call(s.url, 'GET', '/v1/agents', { token })).res.status;

  it('creates a key with an admin key: 201, the secret once, Cache-Control: no-store', async (ctx) => {
    const server = getServer(ctx);
    const { r, body, secret, id } = await create(server, 'ci deploy', ['read', 'write'], { token: aliceAdminKey });
    expect(r.res.headers.get('cache-control')).toBe('no-store');
    expect(secret).toMatch(/^sk_[0-9A-Za-z]{36}$/);
    expect(body).toMatchObject({ key_id: expect.stringMatching(/^key_/), name: 'ci deploy', owner_id: alice.id, scopes: ['read', 'write'], status: 'active', revoked_at: null, expires_at: null, last_used_at: null });
    expect(secret.startsWith(body.start as string)).toBe(true);
    expect(Date.parse(body.created_at as string)).not.toBeNaN();
    expect(await agentsStatus(server, secret)).toBe(200);

    const one = await call(server.url, 'GET', `/v1/api-keys/${id}`, { token: aliceAdminKey });
    expect(one.res.status).toBe(200);
    expect(obj(one)).not.toHaveProperty('key');
    expect(obj(one)).toMatchObject({ key_id: id, name: 'ci deploy', owner_id: alice.id, status: 'active' });
    expect(one.text).not.toContain(secret);

    const list = await call(server.url, 'GET', '/v1/api-keys', { token: aliceAdminKey });
    expect(list.res.status).toBe(200);
    const data = obj(list).data as Array<Record<string, unknown>>;
    expect(data.map((k) => k.key_id)).toEqual(expect.arrayContaining([id, aliceAdminKeyId]));
    expect(data.every((k) => k.owner_id === alice.id)).toBe(true);
    for (const k of data) expect(k).not.toHaveProperty('key');
    for (const s of secrets) expect(list.text).not.toContain(s);
  });

  it('works with a console session; a session write needs the X-CSRF-Token header', async (ctx) => {
    const server = getServer(ctx);
    const session = await consoleLogin(server.url, 'alice@example.com', PASSWORD);
    const before = await call(server.url, 'GET', '/v1/api-keys', { session });
    expect(before.res.status).toBe(200);
    const count = (obj(before).data as unknown[]).length;

    const noHeader = await call(server.url, 'POST', '/v1/api-keys', { session, json: { name: 'no csrf', scopes: ['read'] } });
    expect(expectApiError(noHeader, 403).detail).toMatch(/CSRF/i);
    const wrong = await call(server.url, 'POST', '/v1/api-keys', { session, json: { name: 'bad csrf', scopes: ['read'] }, headers: { 'X-CSRF-Token': 'x'.repeat(32) } });
    expectApiError(wrong, 403);
    const after = await call(server.url, 'GET', '/v1/api-keys', { session });
    expect((obj(after).data as unknown[]).length).toBe(count);

    const { body, secret, id } = await create(server, 'from the console', ['read'], { session });
    expect(body.owner_id).toBe(alice.id);
    expect(await agentsStatus(server, secret)).toBe(200);
    const revoked = await call(server.url, 'POST', `/v1/api-keys/${id}/revoke`, { session, headers: { 'X-CSRF-Token': session.csrf } });
    expect(obj(revoked).status).toBe('revoked');
  });

  it('revokes idempotently, and a revoked key stops at once', async (ctx) => {
    const server = getServer(ctx);
    const { secret, id } = await create(server, 'to revoke', ['read'], { token: aliceAdminKey });
    expect(await agentsStatus(server, secret)).toBe(200);
    const first = await call(server.url, 'POST', `/v1/api-keys/${id}/revoke`, { token: aliceAdminKey });
    expect(first.res.status).toBe(200);
    expect(obj(first)).toMatchObject({ key_id: id, status: 'revoked', revoked_at: expect.any(String) });
    expect(first.text).not.toContain(secret);
    expect(await agentsStatus(server, secret)).toBe(401);
    const again = await call(server.url, 'POST', `/v1/api-keys/${id}/revoke`, { token: aliceAdminKey });
    expect(again.res.status).toBe(200);
    expect(obj(again)).toMatchObject({ status: 'revoked', revoked_at: obj(first).revoked_at });
  });

  it('rolls with grace_seconds 0: the old secret is refused at once, the new one works', async (ctx) => {
    const server = getServer(ctx);
    const { secret: old, id } = await create(server, 'roll now', ['read'], { token: aliceAdminKey });
    const r = await call(server.url, 'POST', `/v1/api-keys/${id}/roll`, { token: aliceAdminKey, json: { grace_seconds: 0 } });
    expect(r.res.status, r.text).toBe(200);
    expect(r.res.headers.get('cache-control')).toBe('no-store');
    const fresh = obj(r).key as string;
    secrets.push(fresh);
    expect(fresh).toMatch(/^sk_[0-9A-Za-z]{36}$/);
    expect(fresh).not.toBe(old);
    expect(obj(r)).toMatchObject({ key_id: id, status: 'active', start: fresh.slice(0, (obj(r).start as string).length) });
    expect(await agentsStatus(server, old)).toBe(401);
    expect(await agentsStatus(server, fresh)).toBe(200);
    const got = await call(server.url, 'GET', `/v1/api-keys/${id}`, { token: aliceAdminKey });
    expect(got.text).not.toContain(fresh);
  });

  it('rolls with grace_seconds 3600: the old and the new secret both work', async (ctx) => {
    const server = getServer(ctx);
    const { secret: old, id } = await create(server, 'roll gently', ['read'], { token: aliceAdminKey });
    const r = await call(server.url, 'POST', `/v1/api-keys/${id}/roll`, { token: aliceAdminKey, json: { grace_seconds: 3600 } });
    expect(r.res.status, r.text).toBe(200);
    const fresh = obj(r).key as string;
    secrets.push(fresh);
    expect(await agentsStatus(server, old)).toBe(200);
    expect(await agentsStatus(server, fresh)).toBe(200);
  });

  it('rolls without a body (grace 0), also with the seed clients\' Content-Type: application/json', async (ctx) => {
    const server = getServer(ctx);
    const { secret: a, id: idA } = await create(server, 'roll bare', ['read'], { token: aliceAdminKey });
    const bare = await call(server.url, 'POST', `/v1/api-keys/${idA}/roll`, { token: aliceAdminKey });
    expect(bare.res.status, bare.text).toBe(200);
    secrets.push(obj(bare).key as string);
    expect(await agentsStatus(server, a)).toBe(401);

    const { secret: b, id: idB } = await create(server, 'roll typed', ['read'], { token: aliceAdminKey });
    const typed = await call(server.url, 'POST', `/v1/api-keys/${idB}/roll`, { token: aliceAdminKey, headers: { 'Content-Type': 'application/json' } });
    expect(typed.res.status, typed.text).toBe(200);
    secrets.push(obj(typed).key as string);
    expect(await agentsStatus(server, b)).toBe(401);
  });

  it('refuses an API key without the admin scope with 403 naming admin', async (ctx) => {
    const server = getServer(ctx);
    const { secret } = await seedKey(server, alice, ['read', 'write', 'delete']);
    for (const [method, path, json] of [
      ['GET', '/v1/api-keys', undefined],
      ['POST', '/v1/api-keys', { name: 'escalate', scopes: ['admin'] }],
      ['GET', `/v1/api-keys/${aliceAdminKeyId}`, undefined],
      ['POST', `/v1/api-keys/${aliceAdminKeyId}/revoke`, undefined],
    ] as const) {
      const r = await call(server.url, method, path, { token: secret, ...(json ? { json } : {}) });
      expect(expectApiError(r, 403).extra).toEqual({ required_scopes: ['admin'] });
      expect(r.res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="admin"/);
    }
    expect(await agentsStatus(server, aliceAdminKey)).toBe(200);
  });

  it("answers 404 for someone else's key, and leaves that key alone", async (ctx) => {
    const server = getServer(ctx);
    const bobs = await seedKey(server, bob, ['read']);
    for (const [method, suffix] of [['GET', ''], ['POST', '/revoke'], ['POST', '/roll']] as const) {
      const r = await call(server.url, method, `/v1/api-keys/${bobs.key.id}${suffix}`, { token: aliceAdminKey });
      expectApiError(r, 404);
    }
    expectApiError(await call(server.url, 'GET', '/v1/api-keys/key_doesnotexist', { token: aliceAdminKey }), 404);
    const list = await call(server.url, 'GET', '/v1/api-keys', { token: aliceAdminKey });
    expect(list.text).not.toContain(bobs.key.id);
    expect(await agentsStatus(server, bobs.secret)).toBe(200);
  });

  it('validates: empty scopes 422 (field scopes), unknown scope 400, unknown field 422', async (ctx) => {
    const server = getServer(ctx);
    const empty = expectApiError(await call(server.url, 'POST', '/v1/api-keys', { token: aliceAdminKey, json: { name: 'x', scopes: [] } }), 422);
    const errors = empty.extra.errors as Array<{ field: string }>;
    expect(errors.map((e) => e.field)).toContain('scopes');

    // An unknown scope is a bad parameter (400) whoever asks; no credential can hold it.
    const unknown = expectApiError(await call(server.url, 'POST', '/v1/api-keys', { token: aliceAdminKey, json: { name: 'x', scopes: ['read', 'superuser'] } }), 400);
    expect(unknown.extra.unknown_scopes).toEqual(['superuser']);
    const session = await consoleLogin(server.url, 'alice@example.com', PASSWORD);
    const viaSession = await call(server.url, 'POST', '/v1/api-keys', { session, headers: { 'X-CSRF-Token': session.csrf }, json: { name: 'x', scopes: ['superuser'] } });
    expect(expectApiError(viaSession, 400).extra.unknown_scopes).toEqual(['superuser']);

    const extraField = expectApiError(await call(server.url, 'POST', '/v1/api-keys', { token: aliceAdminKey, json: { name: 'x', scopes: ['read'], owner_id: bob.id } }), 422);
    expect(JSON.stringify(extraField.extra)).toContain('owner_id');

    const roll = expectApiError(await call(server.url, 'POST', `/v1/api-keys/${aliceAdminKeyId}/roll`, { token: aliceAdminKey, json: { grace_seconds: -1 } }), 422);
    expect((roll.extra.errors as Array<{ field: string }>).map((e) => e.field)).toContain('grace_seconds');
    expect(await agentsStatus(server, aliceAdminKey)).toBe(200);
  });

  it('writes an audit entry for each change (who, what, when, IP) with no secret in it', async (ctx) => {
    const server = getServer(ctx);
    const started = Date.now();
    const { id } = await create(server, 'audited', ['read'], { token: aliceAdminKey });
    const rolled = await call(server.url, 'POST', `/v1/api-keys/${id}/roll`, { token: aliceAdminKey, json: { grace_seconds: 60 } });
    secrets.push(obj(rolled).key as string);
    await call(server.url, 'POST', `/v1/api-keys/${id}/revoke`, { token: aliceAdminKey });
    const session = await consoleLogin(server.url, 'alice@example.com', PASSWORD);
    const viaSession = await create(server, 'audited via session', ['read'], { session });

    const log = await call(server.url, 'GET', '/v1/admin/audit-log?limit=200', { token: aliceAdminKey });
    expect(log.res.status, log.text).toBe(200);
    const entries = obj(log).data as Array<Record<string, unknown>>;
    for (const action of ['api_key.create', 'api_key.roll', 'api_key.revoke']) {
      const e = entries.find((x) => x.action === action && x.target === id);
      expect(e, action).toMatchObject({ actor_type: 'api_key', actor_id: aliceAdminKeyId, subject_user_id: alice.id, ip: expect.stringContaining('127.0.0.1') });
      const at = Date.parse(e!.at as string);
      expect(at).toBeGreaterThanOrEqual(started - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    }
    expect(entries.find((x) => x.action === 'api_key.roll' && x.target === id)?.detail).toMatchObject({ grace_seconds: 60 });
    expect(entries.find((x) => x.action === 'api_key.create' && x.target === viaSession.id)).toMatchObject({ actor_type: 'user', actor_id: alice.id, ip: expect.stringContaining('127.0.0.1') });
    for (const s of secrets) expect(log.text).not.toContain(s);
    expect(log.text).not.toContain(PASSWORD);
    expect(log.text).not.toContain(session.jar.get('gh_session'));
  });
});
