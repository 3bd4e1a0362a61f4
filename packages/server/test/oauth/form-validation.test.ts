/**
 * The form-encoded OAuth endpoints validate their body through the route's schema, over real
 * HTTP on both backends: a body that is not an urlencoded form, a repeated parameter, a missing
 * or empty required parameter, or a parameter sent as a list is a 400 `invalid_request` in the
 * RFC 6749 §5.2 shape (never the /v1 422 body), with `Cache-Control: no-store`. The required
 * fields are read from /openapi.json, so the documented schema is the one that is enforced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type CallResult, call } from '../helpers/http.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { registerApp } from './support.js';

const FORM = 'application/x-www-form-urlencoded';

interface Schema {
  $ref?: string;
  required?: string[];
}
interface Document {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
}

/** A 400 invalid_request in exactly the RFC 6749 §5.2 shape. */
function expectInvalidRequest(r: CallResult, description?: string | RegExp): void {
  expect(r.res.status, r.text).toBe(400);
  expect(r.res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(r.res.headers.get('cache-control')).toBe('no-store');
  expect(r.res.headers.get('pragma')).toBe('no-cache');
  expect(Object.keys(r.body as object).sort()).toEqual(['error', 'error_description']);
  expect((r.body as { error: string }).error).toBe('invalid_request');
  if (description !== undefined) expect((r.body as { error_description: string }).error_description).toMatch(description);
}

describe.each(BACKENDS)('form validation at the OAuth endpoints on $name', (backend) => {
  let server: TestServer | undefined;
  let creds: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer(backend);
    if (!server) return;
    const app = await registerApp(server, 'confidential');
    creds = { client_id: app.client.id, client_secret: app.secret! };
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const post = (path: string, body: string | URLSearchParams | Uint8Array, headers: Record<string, string> = { 'Content-Type': FORM }) =>
    call(server!.url, 'POST', path, { body: body instanceof URLSearchParams ? body.toString() : body, headers });
  const form = (pairs: Array<[string, string]>) => new URLSearchParams(pairs);

  it('accepts a well-formed request (the baseline the refusals below differ from)', async (ctx) => {
    if (!server) return ctx.skip();
    const ok = await post('/oauth/token', form([['grant_type', 'client_credentials'], ...Object.entries(creds)]));
    expect(ok.res.status, ok.text).toBe(200);
    expect(ok.res.headers.get('cache-control')).toBe('no-store');
    // A charset parameter is fine, and so is a parameter no grant reads (RFC 6749 §3.2: ignored).
    const charset = await post('/oauth/token', form([['grant_type', 'client_credentials'], ['unrelated', 'x'], ...Object.entries(creds)]), {
      'Content-Type': `${FORM}; charset=UTF-8`,
    });
    expect(charset.res.status, charset.text).toBe(200);
  });

  it.for<[string, string]>([
    ['application/json', JSON.stringify({ grant_type: 'client_credentials' })],
    ['text/plain', 'grant_type=client_credentials'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--\r\n'],
    [`${FORM};`, 'grant_type=client_credentials'],
    [`${FORM}; charset`, 'grant_type=client_credentials'],
  ])('Content-Type %s → invalid_request, not 415', async ([type, body], ctx) => {
    if (!server) return ctx.skip();
    expectInvalidRequest(await post('/oauth/token', body, { 'Content-Type': type }), 'Content-Type must be application/x-www-form-urlencoded');
  });

  it('a body without Content-Type, and no body at all → invalid_request', async (ctx) => {
    if (!server) return ctx.skip();
    // Bytes: fetch labels a string body text/plain by itself.
    const bytes = new TextEncoder().encode(form([['grant_type', 'client_credentials'], ...Object.entries(creds)]).toString());
    expectInvalidRequest(await post('/oauth/token', bytes, {}), 'Content-Type must be application/x-www-form-urlencoded');
    expectInvalidRequest(await call(server.url, 'POST', '/oauth/token'), 'Content-Type must be application/x-www-form-urlencoded');
  });

  it.for(['grant_type', 'client_id', 'scope', 'unrelated'])('%s repeated → "Parameter … must appear only once"', async (name, ctx) => {
    if (!server) return ctx.skip();
    const pairs: Array<[string, string]> = [['grant_type', 'client_credentials'], ['scope', 'read'], ['unrelated', 'x'], ...Object.entries(creds)];
    const twice = pairs.find(([k]) => k === name)!;
    expectInvalidRequest(await post('/oauth/token', form([...pairs, twice])), `Parameter ${name} must appear only once`);
  });

  it('grant_type missing → "Missing grant_type", before client authentication', async (ctx) => {
    if (!server) return ctx.skip();
    expectInvalidRequest(await post('/oauth/token', form(Object.entries(creds))), 'Missing grant_type');
    expectInvalidRequest(await post('/oauth/token', form([['client_id', 'app_unknown']])), 'Missing grant_type');
    expectInvalidRequest(await post('/oauth/token', ''), /^(Content-Type must be|Missing grant_type)/);
  });

  it('grant_type sent as a list (grant_type[]) is not a grant_type', async (ctx) => {
    if (!server) return ctx.skip();
    expectInvalidRequest(await post('/oauth/token', form([['grant_type[]', 'client_credentials'], ...Object.entries(creds)])), 'Missing grant_type');
  });

  it('an unknown grant_type passes validation and is unsupported_grant_type, not invalid_request', async (ctx) => {
    if (!server) return ctx.skip();
    const r = await post('/oauth/token', form([['grant_type', 'password'], ...Object.entries(creds)]));
    expect(r.res.status, r.text).toBe(400);
    expect(r.body).toEqual({ error: 'unsupported_grant_type', error_description: 'grant_type password is not supported' });
  });

  it('a malformed Authorization header is invalid_request', async (ctx) => {
    if (!server) return ctx.skip();
    const r = await post('/oauth/token', form([['grant_type', 'client_credentials']]), { 'Content-Type': FORM, Authorization: 'Basic !!!' });
    expectInvalidRequest(r, 'Authorization header must be HTTP Basic client credentials');
  });

  it.for(['/oauth/token', '/oauth/revoke', '/oauth/introspect'])('%s: every field its documented schema requires is enforced', async (path, ctx) => {
    if (!server) return ctx.skip();
    const doc = (await call(server.url, 'GET', '/openapi.json')).body as Document;
    let schema = doc.paths[path]?.post?.requestBody?.content[FORM]?.schema;
    if (schema?.$ref) schema = doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
    const required = schema?.required ?? [];
    expect(required.length, path).toBeGreaterThan(0);
    const valid: Record<string, string> = { grant_type: 'client_credentials', token: 'at_unknown' };
    for (const name of required) {
      const others = required.filter((n) => n !== name).map((n): [string, string] => [n, valid[n] ?? 'x']);
      expectInvalidRequest(await post(path, form([...others, ...Object.entries(creds)])), `Missing ${name}`);
    }
  });

  it.for(['/oauth/revoke', '/oauth/introspect'])('%s: an empty token counts as missing (RFC 6749 §3.1)', async (path, ctx) => {
    if (!server) return ctx.skip();
    expectInvalidRequest(await post(path, form([['token', ''], ...Object.entries(creds)])), 'Missing token');
    expectInvalidRequest(await post(path, JSON.stringify({ token: 'at_x', ...creds }), { 'Content-Type': 'application/json' }), 'Content-Type must be application/x-www-form-urlencoded');
  });
});
