/** GET /.well-known/jwks.json — the public signing keys (upcoming, current and recently retired). */
import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';

/** Resource servers may cache the set this long; rotation delays should exceed it. */
export const JWKS_MAX_AGE_SECONDS = 300;

export function jwksRoutes(rt: Runtime) {
  const app = new Hono<AppEnv>();
  app.get('/.well-known/jwks.json', (c) =>
    c.json(rt.keyset.jwks(), 200, {
      'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}`,
      'Access-Control-Allow-Origin': '*',
    }),
  );
  return app;
}
