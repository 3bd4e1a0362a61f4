/**
 * Every route the app mounts is in the OpenAPI document a real server serves, with its method:
 * the list is read from the Hono app itself (`app.routes`), so a route added without its
 * `createRoute` schema fails here. Middleware entries (method ALL) are not routes. The only
 * routes left out are the server-rendered console and its assets, which are pages for a
 * browser, not an API; the allow-list is checked to match real routes and nothing documented.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { BACKENDS } from '../helpers/backends.js';
import { call } from '../helpers/http.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

/** Pages, not API: `/` redirects to the console, the console renders HTML, assets are its CSS and JS. */
const NOT_API: Array<{ pattern: RegExp; why: string }> = [
  { pattern: /^\/$/, why: 'redirects to the console' },
  { pattern: /^\/console(\/|$)/, why: 'server-rendered console pages' },
  { pattern: /^\/assets\//, why: "the console's static CSS and JS" },
];

interface Document {
  paths: Record<string, Record<string, unknown>>;
}

/** "METHOD /path/{param}" for every handler the app mounts (middleware-only entries excluded). */
function mountedRoutes(server: TestServer): string[] {
  const routes = createApp(server.runtime).routes.filter((r) => r.method !== 'ALL');
  return [...new Set(routes.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`))].sort();
}

const pathOf = (route: string) => route.slice(route.indexOf(' ') + 1);
const isPage = (route: string) => NOT_API.some((n) => n.pattern.test(pathOf(route)));

describe.each(BACKENDS)('the OpenAPI document lists every mounted route on $name', (backend) => {
  let server: TestServer | undefined;
  let documented: Set<string>;
  let mounted: string[];
  beforeAll(async () => {
    server = await startTestServer(backend);
    if (!server) return;
    const r = await call(server.url, 'GET', '/openapi.json');
    expect(r.res.status).toBe(200);
    const doc = r.body as Document;
    documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    mounted = mountedRoutes(server);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('documents each API route with its method', (ctx) => {
    if (!server) return ctx.skip();
    const api = mounted.filter((r) => !isPage(r));
    expect(api.length).toBeGreaterThan(20);
    expect(api.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('covers the OAuth and discovery endpoints, both methods of /oauth/authorize included', (ctx) => {
    if (!server) return ctx.skip();
    const oauth = mounted.filter((r) => /^\/(oauth|\.well-known)\//.test(pathOf(r)));
    expect(oauth).toEqual([
      'GET /.well-known/jwks.json',
      'GET /.well-known/oauth-authorization-server',
      'GET /oauth/authorize',
      'POST /oauth/authorize',
      'POST /oauth/introspect',
      'POST /oauth/revoke',
      'POST /oauth/token',
    ]);
    for (const route of oauth) expect(documented, route).toContain(route);
  });

  it('documents nothing the app does not serve', (ctx) => {
    if (!server) return ctx.skip();
    expect([...documented].filter((r) => !mounted.includes(r))).toEqual([]);
  });

  it('leaves out only pages: each allow-list entry matches a mounted route and none is documented', (ctx) => {
    if (!server) return ctx.skip();
    for (const { pattern, why } of NOT_API) {
      const matching = mounted.filter((r) => pattern.test(pathOf(r)));
      expect(matching.length, `${pattern} (${why})`).toBeGreaterThan(0);
      expect(matching.filter((r) => documented.has(r)), `${pattern} (${why})`).toEqual([]);
    }
  });
});
