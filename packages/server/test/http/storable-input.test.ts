/**
 * Text the databases cannot store alike (U+0000, unpaired surrogates) and ambiguous
 * credentials are refused at the edge, the same way on SQLite and PostgreSQL: a 400 in each
 * surface's error shape, never a database error, whether or not the caller is signed in.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { call, consoleLogin, expectApiError, obj } from '../helpers/http.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe.each(BACKENDS)('unstorable input on $name', (backend) => {
  let token = '';
  let email = '';
  const server = useServer(backend, {}, async (s) => {
    const admin = await seedUser(s, `admin-${Date.now()}@example.com`, PASSWORD);
    email = admin.email;
    token = (await seedKey(s, admin, ['read', 'write', 'admin'])).secret;
  });

  it('NUL in a path id, a query or a JSON string of /v1 is a 400 in the /v1 error shape, before any authentication', async (ctx) => {
    const s = server(ctx);
    for (const path of ['/v1/api-keys/%00', '/v1/api-keys/key_%00abc/roll', '/v1/applications/app_%00', '/v1/api-keys?cursor=%00']) {
      expectApiError(await call(s.url, 'GET', path, { token }), 400);
      expectApiError(await call(s.url, 'GET', path), 400);
    }
    const refused = expectApiError(await call(s.url, 'POST', '/v1/api-keys', { token, json: { name: 'a\u0000b', scopes: ['read'] } }), 400);
    expect(refused.detail).toMatch(/U\+0000/);
    expectApiError(await call(s.url, 'POST', '/v1/api-keys', { token, json: { name: 'ok', scopes: ['read'], '\u0000': 1 } }), 400);
    expectApiError(await call(s.url, 'POST', '/v0/auth', { json: { key_id: 'key_\u0000', key_secret: 'sk_x' } }), 400);
  });

  it('an unpaired surrogate escape in JSON is refused; a paired one (an emoji) is stored and read back', async (ctx) => {
    const s = server(ctx);
    for (const name of ['\\ud800', 'x\\udfff', '\\udc00\\ud800']) {
      const r = await call(s.url, 'POST', '/v1/api-keys', { token, body: `{"name":"${name}","scopes":["read"]}`, headers: { 'Content-Type': 'application/json' } });
      expectApiError(r, 400);
    }
    const created = await call(s.url, 'POST', '/v1/api-keys', { token, body: '{"name":"rocket \\ud83d\\ude80","scopes":["read"]}', headers: { 'Content-Type': 'application/json' } });
    expect(created.res.status, created.text).toBe(201);
    const id = String(obj(created).key_id);
    expect(obj(await call(s.url, 'GET', `/v1/api-keys/${id}`, { token })).name).toBe('rocket 🚀');
  });

  it('NUL in an OAuth form or in Basic credentials is RFC 6749 invalid_request, never a 500', async (ctx) => {
    const s = server(ctx);
    const forms = ['grant_type=client_credentials&client_id=app_%00&client_secret=cs_x', 'grant_type=refresh_token&refresh_token=rt_%00&client_id=app_x'];
    for (const body of forms) {
      const r = await call(s.url, 'POST', '/oauth/token', { body, headers: FORM });
      expect(r.res.status, r.text).toBe(400);
      expect(obj(r).error).toBe('invalid_request');
    }
    const basic = `Basic ${Buffer.from('app_%00:cs_x').toString('base64')}`;
    for (const path of ['/oauth/token', '/oauth/introspect', '/oauth/revoke']) {
      const r = await call(s.url, 'POST', path, { body: 'grant_type=client_credentials&token=x', headers: { ...FORM, Authorization: basic } });
      expect(r.res.status, r.text).toBe(400);
      expect(obj(r).error).toBe('invalid_request');
    }
    const authorize = await call(s.url, 'GET', '/oauth/authorize?client_id=app_%00&response_type=code');
    expect(authorize.res.status).toBe(400);
  });

  it('NUL in a console form or in a cookie is a 400 page, signed in or not', async (ctx) => {
    const s = server(ctx);
    const login = await call(s.url, 'POST', '/console/login', { body: `email=a%00b%40example.com&password=x&csrf=x`, headers: FORM });
    expect(login.res.status).toBe(400);
    expect(login.res.headers.get('content-type')).toMatch(/^text\/html/);
    const cookie = await call(s.url, 'GET', '/console/settings/api-keys', { headers: { Cookie: 'gh_session=%00' } });
    expect(cookie.res.status).toBe(400);
    const session = await consoleLogin(s.url, email, PASSWORD);
    const page = await call(s.url, 'POST', '/console/settings/api-keys/key_%00/revoke', { session, body: 'csrf=x', headers: FORM });
    expect(page.res.status).toBe(400);
  });

  it('two Authorization headers are refused as ambiguous, even when the first is valid', async (ctx) => {
    const s = server(ctx);
    const { request } = await import('node:http');
    const url = new URL('/v1/api-keys', s.url);
    const status = await new Promise<number>((resolve, reject) => {
      // fetch joins repeated headers into one; a raw request sends both lines.
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: [['Authorization', `Bearer ${token}`], ['Authorization', 'Bearer sk_other']].flat() as unknown as Record<string, string> });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
    expect((await call(s.url, 'GET', '/v1/api-keys', { token })).res.status).toBe(200);
  });
});
