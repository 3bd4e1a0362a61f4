/**
 * The routes the hostile table covers, read from the app itself: every handler `createApp`
 * mounts (middleware entries excluded), checked against the OpenAPI document the server serves,
 * so a route added tomorrow is in the table (or the suite says it is missing one).
 * Each route belongs to one error surface, decided the way app.ts decides it.
 */
import { createApp } from '../../src/http/app.js';
import type { Runtime } from '../../src/core/runtime.js';

export interface MountedRoute {
  method: string;
  /** Hono's pattern, e.g. `/v1/api-keys/:key_id`. */
  pattern: string;
}

/** Where an error answer's shape comes from (docs/errors.md, docs/security.md). */
export type Surface = 'api' | 'oauth' | 'page';

export function mountedRoutes(rt: Runtime): MountedRoute[] {
  const seen = new Set<string>();
  const routes: MountedRoute[] = [];
  for (const r of createApp(rt).routes) {
    const key = `${r.method} ${r.path}`;
    if (r.method === 'ALL' || seen.has(key)) continue;
    seen.add(key);
    routes.push({ method: r.method, pattern: r.path });
  }
  return routes;
}

/** `/v1/api-keys/{key_id}` for `/v1/api-keys/:key_id`, as the OpenAPI document spells it. */
export const openApiPath = (pattern: string) => pattern.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

/** The console and its assets are pages for a browser, not API operations. */
export const isConsoleRoute = (pattern: string) => pattern === '/' || pattern === '/console' || pattern.startsWith('/console/') || pattern.startsWith('/assets/');

/** The path a router sees: dot segments resolved by URL parsing, percent escapes decoded. */
export function routedPath(rawPath: string): string {
  let path: string;
  try {
    path = new URL(`http://h${rawPath.startsWith('/') ? '' : '/'}${rawPath}`).pathname;
  } catch {
    return rawPath;
  }
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** The surface of a path, as app.ts maps errors: pages, then /oauth/*, then JSON everywhere else. */
export function surfaceOf(rawPath: string): Surface {
  const path = routedPath(rawPath.split('?')[0]!);
  if (path === '/console' || path.startsWith('/console/') || path === '/' || path === '/oauth/authorize') return 'page';
  if (path.startsWith('/oauth/')) return 'oauth';
  return 'api';
}
