/**
 * Bad input to every JSON route and every console form post: wrong media types, malformed
 * JSON, oversized bodies, non-object bodies, wrong-typed and unknown fields, garbage
 * Authorization headers. Every answer must be a clear 4xx (never a 5xx), in the route's
 * error shape, without echoing a secret; and the server must keep answering afterwards.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type CallOptions, type CallResult, type ConsoleSession, call, consoleLogin, expectApiError } from '../helpers/http.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const LIMIT = 2048;
const ids = { agent: '', key: '' };

interface JsonRoute {
  method: string;
  /** `:key` and `:agent` stand for a real key_id and agent id of the caller. */
  pattern: string;
  /** A valid body, for routes that take one. */
  body?: Record<string, unknown>;
  /** The same body with a wrong-typed field. */
  wrongType?: Record<string, unknown>;
}

const ROUTES: JsonRoute[] = [
  { method: 'GET', pattern: '/v1/api-keys' },
  { method: 'POST', pattern: '/v1/api-keys', body: { name: 'k', scopes: ['read'] }, wrongType: { name: 'k', scopes: 'read' } },
  { method: 'GET', pattern: '/v1/api-keys/:key' },
  { method: 'POST', pattern: '/v1/api-keys/:key/revoke' },
  { method: 'POST', pattern: '/v1/api-keys/:key/roll', body: { grace_seconds: 60 }, wrongType: { grace_seconds: '60' } },
  { method: 'GET', pattern: '/v1/agents' },
  { method: 'POST', pattern: '/v1/agents', body: { name: 'a' }, wrongType: { name: 42 } },
  { method: 'GET', pattern: '/v1/agents/:agent' },
  { method: 'PATCH', pattern: '/v1/agents/:agent', body: { name: 'b' }, wrongType: { description: ['x'] } },
  { method: 'DELETE', pattern: '/v1/agents/:agent' },
  { method: 'GET', pattern: '/v1/admin/audit-log' },
];
const BODY_ROUTES = ROUTES.filter((r) => r.body);
const each = (routes: JsonRoute[]) => routes.map((r) => [`${r.method} ${r.pattern}`, r] as const);
const pathOf = (r: JsonRoute) => r.pattern.replace(':key', ids.key).replace(':agent', ids.agent);

const random = (n: number) => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);
const GARBAGE_AUTH: Array<[string, () => string]> = [
  ['Bearer + 2000 chars', () => `Bearer ${'A'.repeat(2000)}`],
  ['very long (8000 chars)', () => `Bearer sk_${random(8000)}`],
  ['Bearer sk_ + random', () => `Bearer sk_${random(36)}`],
  ['Bearer sk_ + short random', () => `Bearer sk_${random(8)}`],
  ['odd Latin-1 and no-break spaces', () => 'Bearer \u00a0sk_\u00e9\u00ff\u00a0x'],
  ['tab instead of space', () => `Bearer\tsk_${random(36)}`],
  ['many spaces inside', () => `Bearer sk_${random(10)}    ${random(10)}`],
  ['empty value', () => ''],
  ['path-like token', () => 'Bearer ../../etc/passwd'],
  ['SQL-like token', () => "Bearer ' OR 1=1 --"],
  ['only padding', () => 'Bearer ===='],
];

describe.each(BACKENDS)('bad input on $name', (backend) => {
  let token = '';
  let session: ConsoleSession;
  const sent: string[] = [PASSWORD];

  const getServer = useServer(backend, { env: { GATEHOUSE_MAX_BODY_BYTES: String(LIMIT) } }, async (server) => {
    const alice = await seedUser(server, 'alice@example.com', PASSWORD);
    token = (await seedKey(server, alice, ['read', 'write', 'delete', 'admin'])).secret;
    const spare = await seedKey(server, alice, ['read']);
    ids.key = spare.key.id;
    sent.push(token, spare.secret);
    const agent = await call(server.url, 'POST', '/v1/agents', { token, json: { name: 'target' } });
    ids.agent = (agent.body as { id: string }).id;
    session = await consoleLogin(server.url, 'alice@example.com', PASSWORD);
  });

  /** Sends to a JSON route; asserts the status, the error shape, and that no secret comes back. */
  const json = async (route: JsonRoute, opts: CallOptions, status: number) => {
    const path = pathOf(route);
    const r = await call(getServer().url, route.method, path, opts);
    expect(r.res.status, `${route.method} ${path}: ${r.text}`).toBeLessThan(500);
    expectApiError(r, status);
    for (const s of [...sent, opts.headers?.Authorization?.replace(/^Bearer\s*/, '') ?? '']) {
      if (s.length >= 8) expect(r.text).not.toContain(s);
    }
    return r;
  };
  const authed = (extra: CallOptions): CallOptions => ({ ...extra, headers: { Authorization: `Bearer ${token}`, ...extra.headers } });

  it.for(each(ROUTES))('%s: garbage Authorization headers → 401', async ([, route], ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    for (const [what, header] of GARBAGE_AUTH) {
      const r = await json(route, { headers: { Authorization: header() }, ...(route.body ? { json: route.body } : {}) }, 401);
      expect(r.res.headers.get('www-authenticate'), what).toMatch(/^Bearer realm="gatehouse"/);
    }
  });

  it.for(each(BODY_ROUTES))('%s: wrong media type → 415, malformed JSON → 400', async ([, route], ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    const text = JSON.stringify(route.body);
    await json(route, authed({ body: text, headers: { 'Content-Type': 'text/plain' } }), 415);
    await json(route, authed({ body: new URLSearchParams({ name: 'x', grace_seconds: '1' }) }), 415);
    await json(route, authed({ body: text, headers: { 'Content-Type': 'application/xml' } }), 415);
    for (const bad of ['{"name":', '{name: "x"}', "{'a':1}", '{"a":1}}', 'nul', '\u00ff\u00fe']) {
      await json(route, authed({ body: bad, headers: { 'Content-Type': 'application/json' } }), 400);
    }
  });

  it.for(each(BODY_ROUTES))('%s: non-object, wrong-typed and unknown fields → 422', async ([, route], ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    for (const bad of ['[]', '[{"name":"x"}]', 'null', '"a string"', '42', 'true']) {
      await json(route, authed({ body: bad, headers: { 'Content-Type': 'application/json' } }), 422);
    }
    const wrong = await json(route, authed({ json: route.wrongType }), 422);
    expect((wrong.body as { extra: { errors: unknown[] } }).extra.errors.length).toBeGreaterThan(0);
    await json(route, authed({ json: { ...route.body, is_admin: true } }), 422);
  });

  it.for(each(ROUTES.filter((r) => r.method !== 'GET')))('%s: a body over the limit → 413', async ([, route], ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    const big = JSON.stringify({ name: 'x'.repeat(LIMIT + 100), scopes: ['read'] });
    await json(route, authed({ body: big, headers: { 'Content-Type': 'application/json' } }), 413);
    const chunks = [new TextEncoder().encode(big.slice(0, 1000)), new TextEncoder().encode(big.slice(1000))];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    await json(route, authed({ body: stream, headers: { 'Content-Type': 'application/json' } }), 413);
  });

  it('bad path and query parameters → 422 or 404, never 5xx', async (ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    const byPath = (method: string, path: string): JsonRoute => ({ method, pattern: path });
    const long = 'k'.repeat(65);
    for (const [method, path] of [['GET', `/v1/api-keys/${long}`], ['POST', `/v1/api-keys/${long}/revoke`], ['POST', `/v1/api-keys/${long}/roll`], ['GET', `/v1/agents/${long}`], ['PATCH', `/v1/agents/${long}`], ['DELETE', `/v1/agents/${long}`]] as const) {
      await json(byPath(method, path), authed(method === 'PATCH' ? { json: { name: 'x' } } : {}), 422);
    }
    for (const q of ['limit=abc', 'limit=0', 'limit=1000', 'limit=1.5', 'before=-5', 'before=x']) {
      await json(byPath('GET', `/v1/admin/audit-log?${q}`), authed({}), 422);
    }
    await json(byPath('GET', '/v1/api-keys/key_%27%20OR%201%3D1'), authed({}), 404);
    await json(byPath('GET', '/v1/agents/%F0%9F%90%9B'), authed({}), 404);
    await json(byPath('GET', '/v1/no-such-route'), authed({}), 404);
    await json(byPath('PUT', '/v1/agents'), authed({ json: { name: 'x' } }), 404);
  });

  describe('console form posts', () => {
    const FORMS = ['/console/signup', '/console/login', '/console/logout', '/console/settings/api-keys', '/console/settings/api-keys/:key/revoke', '/console/settings/api-keys/:key/roll'];
    const post = async (path: string, body: NonNullable<CallOptions['body']>, headers: Record<string, string> = {}) => {
      const r = await call(getServer().url, 'POST', path, { session, body, headers });
      expect(r.res.status, `${path}: ${r.res.status}`).toBeLessThan(500);
      for (const s of sent) expect(r.text).not.toContain(s);
      if (r.res.status >= 400) expect(r.res.headers.get('content-type')).toMatch(/^text\/html/);
      return r;
    };
    const form = (fields: Record<string, string>) => new URLSearchParams({ email: 'alice@example.com', password: PASSWORD, name: 'n', scopes: 'read', expires: 'never', grace: '0', ...fields });

    it.for(FORMS)('%s: missing or wrong CSRF, wrong media types, oversize', async (pattern, ctx) => {
      getServer(ctx); // skips the test without a backend; the helpers below reach the server
      const path = pattern.replace(':key', ids.key);
      expect((await post(path, form({}))).res.status).toBe(403);
      expect((await post(path, form({ csrf: 'A'.repeat(32) }))).res.status).toBe(403);
      expect((await post(path, JSON.stringify({ csrf: session.csrf }), { 'Content-Type': 'application/json' })).res.status).toBe(403);
      expect((await post(path, `csrf=${session.csrf}`, { 'Content-Type': 'text/plain' })).res.status).toBe(403);
      expect((await post(path, form({ csrf: session.csrf, pad: 'x'.repeat(LIMIT) }))).res.status).toBe(413);
      const noBoundary = await post(path, `csrf=${session.csrf}`, { 'Content-Type': 'multipart/form-data' });
      expect(noBoundary.res.status).toBeGreaterThanOrEqual(400);
      const badMultipart = await post(path, 'garbage', { 'Content-Type': 'multipart/form-data; boundary=xyz' });
      expect(badMultipart.res.status).toBeGreaterThanOrEqual(400);
    });

    it('with a valid CSRF field, bad values get a 4xx page that echoes no password or key', async (ctx) => {
      getServer(ctx); // skips the test without a backend; the helpers below reach the server
      const csrf = session.csrf;
      expect((await post('/console/signup', form({ csrf, email: 'not an email' }))).res.status).toBe(400);
      expect((await post('/console/signup', form({ csrf, email: 'new@example.com', password: 'short' }))).res.status).toBe(400);
      // A taken address is not refused: sign-up answers it like a new one (no enumeration).
      expect((await post('/console/signup', form({ csrf, email: 'alice@example.com', password: 'a long enough password' }))).res.status).toBe(303);
      const wrong = await post('/console/login', form({ csrf, email: 'nobody@example.com', password: 'wrong password 1234' }));
      expect(wrong.res.status).toBe(401);
      expect(wrong.text).not.toContain('wrong password 1234');
      expect((await post('/console/settings/api-keys', form({ csrf, scopes: 'superuser' }))).res.status).toBe(400);
      expect((await post('/console/settings/api-keys', form({ csrf, expires: 'forever' }))).res.status).toBe(400);
      expect((await post('/console/settings/api-keys', form({ csrf, name: '' }))).res.status).toBe(400);
      expect((await post(`/console/settings/api-keys/${ids.key}/roll`, form({ csrf, grace: 'soon' }))).res.status).toBe(400);
      expect((await post('/console/settings/api-keys/key_nope/revoke', form({ csrf }))).res.status).toBe(404);
    });
  });

  it('answers /healthz and /readyz', async (ctx) => {
    const server = getServer(ctx);
    const health = await call(server.url, 'GET', '/healthz');
    expect(health.res.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await call(server.url, 'GET', '/readyz');
    expect(ready.res.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', database: backend.name });
  });

  it('sends the security headers on an HTML page and on a JSON response, and no HSTS over http', async (ctx) => {
    const server = getServer(ctx);
    const page = await call(server.url, 'GET', '/console/login');
    const api = await call(server.url, 'GET', '/v1/agents', { token });
    const error = await call(server.url, 'GET', '/v1/agents');
    expect(page.res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(api.res.headers.get('content-type')).toMatch(/^application\/json/);
    for (const { res } of [page, api, error]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('default-src'));
      expect(scriptSrc).toBeDefined();
      expect(scriptSrc).not.toContain('unsafe-inline');
      expect(scriptSrc).not.toContain('unsafe-eval');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('keeps answering after all of it', async (ctx) => {
    const server = getServer(ctx);
    const huge = await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${'A'.repeat(64 * 1024)}` } });
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    expect((await call(server.url, 'GET', '/healthz')).res.status).toBe(200);
    const agents: CallResult = await call(server.url, 'GET', `/v1/agents/${ids.agent}`, { token });
    expect(agents.res.status, agents.text).toBe(200);
    const key = await call(server.url, 'GET', `/v1/api-keys/${ids.key}`, { token });
    expect(key.body).toMatchObject({ key_id: ids.key, status: 'active' });
    // Nothing above may have been an internal error, even one hidden behind a 4xx.
    expect(server.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });
});
