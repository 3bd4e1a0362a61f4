/** GET /.well-known/jwks.json — the public signing keys (RFC 7517 §5): upcoming, current and recently retired. */
import { createRoute } from '@hono/zod-openapi';
import { JsonWebKeySet } from '../../core/oauth/wire.js';
import type { Runtime } from '../../core/runtime.js';
import { oauthRouter } from './router.js';
import { jsonResponse } from '../api/openapi.js';

/** Resource servers may cache the set this long; rotation delays should exceed it. */
export const JWKS_MAX_AGE_SECONDS = 300;

const route = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['Discovery'],
  summary: 'The public signing keys (RFC 7517): upcoming, current and recently retired',
  responses: { 200: jsonResponse(JsonWebKeySet, 'The key set (cacheable for 5 minutes)') },
});

export function jwksRoutes(rt: Runtime) {
  return oauthRouter().openapi(route, (c) => {
    const set: JsonWebKeySet = rt.keyset.jwks();
    return c.json(set, 200, { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}`, 'Access-Control-Allow-Origin': '*' });
  });
}
