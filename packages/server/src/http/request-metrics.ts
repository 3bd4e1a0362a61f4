/**
 * Counts every answered request in metrics, by method, route pattern and status, with its
 * latency. The route is the pattern the router matched (`/v1/api-keys/:id`), never the path
 * itself, so no id or secret becomes a label; a request no route matched is `unmatched`.
 * Mounted only when metrics are enabled.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../core/metrics.js';
import type { AppEnv } from './env.js';

export const UNMATCHED_ROUTE = 'unmatched';

export function requestMetrics(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    metrics.request(c.req.method, routePattern(c), c.res.status, (performance.now() - started) / 1000);
  };
}

/** The last matched handler that is not middleware (middleware is registered for every method). */
function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== 'ALL') return route.path;
  }
  return UNMATCHED_ROUTE;
}
