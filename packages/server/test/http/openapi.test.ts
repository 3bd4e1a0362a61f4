/**
 * GET /openapi.json: an OpenAPI 3.1 document that lists every /v1 JSON route with its method,
 * its bearer security, its request body and the shared error shape. The list of routes the
 * app really serves is read from the app itself, so a new undocumented route fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { BACKENDS } from '../helpers/backends.js';
import { call } from '../helpers/http.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

interface Operation {
  security?: Array<Record<string, unknown>>;
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>; securitySchemes: Record<string, { type: string; scheme?: string }> };
}

const EXPECTED: Array<[string, string, { body?: 'required' | 'optional' }]> = [
  ['get', '/v1/api-keys', {}],
  ['post', '/v1/api-keys', { body: 'required' }],
  ['get', '/v1/api-keys/{key_id}', {}],
  ['post', '/v1/api-keys/{key_id}/revoke', {}],
  ['post', '/v1/api-keys/{key_id}/roll', { body: 'optional' }],
  ['get', '/v1/agents', {}],
  ['post', '/v1/agents', { body: 'required' }],
  ['get', '/v1/agents/{id}', {}],
  ['patch', '/v1/agents/{id}', { body: 'required' }],
  ['delete', '/v1/agents/{id}', {}],
  ['get', '/v1/admin/audit-log', {}],
  ['get', '/v1/applications', {}],
  ['post', '/v1/applications', { body: 'required' }],
  ['get', '/v1/applications/{client_id}', {}],
  ['patch', '/v1/applications/{client_id}', { body: 'required' }],
  ['post', '/v1/applications/{client_id}/rotate-secret', {}],
  ['delete', '/v1/applications/{client_id}', {}],
];
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** The /v1 routes the app serves, as "method /path/{param}" (middleware-only entries excluded). */
function servedV1Routes(server: TestServer): Set<string> {
  const routes = createApp(server.runtime).routes;
  return new Set(
    routes
      .filter((r) => r.path.startsWith('/v1/') && METHODS.has(r.method.toLowerCase()))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`),
  );
}

function documented(doc: Document): Set<string> {
  const out = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) if (METHODS.has(method)) out.add(`${method} ${path}`);
  }
  return out;
}

describe.each(BACKENDS)('GET /openapi.json on $name', (backend) => {
  let server: TestServer | undefined;
  let doc: Document;
  beforeAll(async () => {
    server = await startTestServer(backend);
    if (!server) return;
    const r = await call(server.url, 'GET', '/openapi.json');
    expect(r.res.status).toBe(200);
    expect(r.res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = r.body as Document;
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('is an OpenAPI 3.1 document with a bearer security scheme', (ctx) => {
    if (!server) return ctx.skip();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it.for(EXPECTED)('documents %s %s', ([method, path, expects], ctx) => {
    if (!server) return ctx.skip();
    const op = doc.paths[path]?.[method];
    expect(op, `${method} ${path}`).toBeDefined();
    expect(op!.security).toEqual([{ bearer: [] }]);
    const success = Object.keys(op!.responses).filter((s) => s.startsWith('2'));
    expect(success.length).toBe(1);
    for (const status of ['401', '403']) {
      expect(op!.responses[status]?.content?.['application/json']?.schema.$ref, `${method} ${path} ${status}`).toBe('#/components/schemas/Error');
    }
    if (expects.body) {
      expect(op!.requestBody?.content['application/json']?.schema).toBeDefined();
      expect(Boolean(op!.requestBody?.required)).toBe(expects.body === 'required');
      expect(op!.responses['422']).toBeDefined();
    } else {
      expect(op!.requestBody).toBeUndefined();
    }
  });

  it('documents every /v1 route the server actually serves, and nothing it does not', (ctx) => {
    if (!server) return ctx.skip();
    const served = servedV1Routes(server);
    const listed = new Set([...documented(doc)].filter((r) => r.split(' ')[1]!.startsWith('/v1/')));
    expect(served.size).toBeGreaterThanOrEqual(EXPECTED.length);
    expect([...served].sort()).toEqual([...listed].sort());
    for (const [method, path] of EXPECTED) expect(served).toContain(`${method} ${path}`);
  });

  it('describes the error body as {detail, status_code, extra}', (ctx) => {
    if (!server) return ctx.skip();
    const error = doc.components.schemas.Error;
    expect(Object.keys(error?.properties ?? {}).sort()).toEqual(['detail', 'extra', 'status_code']);
    expect([...(error?.required ?? [])].sort()).toEqual(['detail', 'extra', 'status_code']);
  });
});

describe.each(BACKENDS)('GET /openapi.json with GATEHOUSE_SAMPLE_API=false on $name', (backend) => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(backend, { env: { GATEHOUSE_SAMPLE_API: 'false' } });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('leaves the switched-off /v1/agents routes out', async (ctx) => {
    if (!server) return ctx.skip();
    const doc = (await call(server.url, 'GET', '/openapi.json')).body as Document;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1/agents'))).toEqual([]);
    expect(doc.paths['/v1/api-keys']?.get).toBeDefined();
  });
});
