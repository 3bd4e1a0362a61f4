/**
 * POST /v0/auth — key-pair exchange: `{key_id, key_secret, scopes}` → a short-lived JWT.
 * Response and error shapes follow the public API documentation this endpoint serves.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { invalidRequest } from '../../core/errors.js';
import { exchangeKeyPair } from '../../core/key-exchange.js';
import type { Runtime } from '../../core/runtime.js';
import { clientIp } from '../ip.js';
import { errorResponses, jsonBody, jsonRouter } from './openapi.js';

const AuthRequest = z
  .object({
    key_id: z.string().min(1).max(128).describe('The public key id (`key_…`)'),
    key_secret: z.string().min(1).max(256).describe('The secret of the same API key (`sk_…`)'),
    scopes: z.array(z.string().min(1).max(128)).min(1, 'at least one scope must be provided').max(50),
  })
  .strict()
  .openapi('KeyPairAuthRequest');

const AuthResponse = z
  .object({
    access_token: z.string().describe('A JWT (RFC 9068) to send as `Authorization: Bearer`'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Seconds until the token expires'),
    scope: z.string().describe('Space-separated granted scopes (exactly those requested)'),
  })
  .openapi('KeyPairAuthResponse');

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

export function v0AuthRoutes(rt: Runtime) {
  const { config } = rt;
  const app = jsonRouter();
  // The documented contract: a body that is not JSON is a 400, whatever its Content-Type says.
  app.use('/auth', async (c, next) => {
    if (c.req.method === 'POST' && !JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      throw invalidRequest('Request body must be JSON (Content-Type: application/json)');
    }
    return next();
  });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth',
      tags: ['Key-pair exchange'],
      summary: 'Exchange a key pair for a short-lived access token',
      request: { body: jsonBody(AuthRequest) },
      responses: {
        200: { description: 'A signed JWT', content: { 'application/json': { schema: AuthResponse } } },
        ...errorResponses(400, 401, 403, 422, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await exchangeKeyPair(
        rt,
        { keyId: body.key_id, keySecret: body.key_secret, scopes: body.scopes, ip: clientIp(c, config.trustProxy) },
      );
      return c.json(result, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    },
  );
  return app;
}
