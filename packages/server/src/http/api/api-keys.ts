/** /v1/api-keys: manage the caller's API keys with a console session or a key holding `admin`. */
import { createRoute, z } from '@hono/zod-openapi';
import { createKey, getManagedKey, keyStatus, listKeys, revokeKey, rollKey } from '../../core/keys.js';
import type { ApiKeyRecord } from '../../core/model/api-key.js';
import { actorOf, assertCanGrant, authenticate, requireSessionOrAdmin } from '../auth.js';
import type { Runtime } from '../../core/runtime.js';
import { bearerSecurity, errorResponses, iso, jsonBody, jsonRouter, jsonResponse } from './openapi.js';

const MAX_EXPIRES_IN = 10 * 365 * 86_400;

export const ApiKeyView = z
  .object({
    key_id: z.string(),
    name: z.string(),
    owner_id: z.string(),
    scopes: z.array(z.string()),
    start: z.string().describe('The first characters of the current secret, for recognition'),
    status: z.enum(['active', 'expired', 'revoked']),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

const WithSecret = ApiKeyView.extend({
  key: z.string().describe('The secret `sk_…` key. Shown only in this response.'),
}).openapi('ApiKeyWithSecret');

const CreateBody = z
  .object({
    name: z.string().min(1).max(100),
    scopes: z.array(z.string().min(1)).min(1, 'at least one scope must be provided'),
    expires_in: z.number().int().positive().max(MAX_EXPIRES_IN).optional().describe('Lifetime in seconds'),
  })
  .strict()
  .openapi('CreateApiKey');

const RollBody = z
  .object({
    grace_seconds: z.number().int().min(0).max(604_800).default(0).describe('How long the old secret keeps working'),
  })
  .strict()
  .openapi('RollApiKey');

const KeyIdParam = z.object({ key_id: z.string().min(1).max(64) });

export function view(key: ApiKeyRecord, now: number) {
  return {
    key_id: key.id,
    name: key.name,
    owner_id: key.ownerId,
    scopes: key.scopes,
    start: key.start,
    status: keyStatus(key, now),
    created_at: iso(key.createdAt)!,
    last_used_at: iso(key.lastUsedAt),
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
  };
}

const errors = errorResponses(400, 401, 403, 404, 415, 422);
const tags = ['API keys'];

export function apiKeyRoutes(rt: Runtime) {
  
  const app = jsonRouter();
  // '/api-keys/*' also matches '/api-keys': one registration, one check per request.
  app.use('/api-keys/*', authenticate(rt), requireSessionOrAdmin);

  app.openapi(
    createRoute({ method: 'get', path: '/api-keys', summary: 'List your API keys', tags, security: bearerSecurity, responses: { 200: jsonResponse(z.object({ data: z.array(ApiKeyView) }), 'Your API keys'), ...errors } }),
    async (c) => {
      const now = rt.clock.now();
      return c.json({ data: (await listKeys(rt, c.get('principal').userId)).map((k) => view(k, now)) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/api-keys', summary: 'Create an API key (the secret is returned once)', tags, security: bearerSecurity, request: { body: jsonBody(CreateBody) }, responses: { 201: jsonResponse(WithSecret, 'Created; the secret is in `key`'), ...errors } }),
    async (c) => {
      const body = c.req.valid('json');
      assertCanGrant(rt, c, body.scopes);
      const actor = await actorOf(rt, c);
      const now = rt.clock.now();
      const { key, secret } = await createKey(rt, actor, {
        ownerId: actor.user!.id,
        name: body.name,
        scopes: body.scopes,
        expiresAt: body.expires_in === undefined ? null : now + body.expires_in * 1000,
      });
      return c.json({ ...view(key, now), key: secret }, 201, { 'Cache-Control': 'no-store' });
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api-keys/{key_id}', summary: 'Get an API key', tags, security: bearerSecurity, request: { params: KeyIdParam }, responses: { 200: jsonResponse(ApiKeyView, 'The key'), ...errors } }),
    async (c) => {
      const key = await getManagedKey(rt, await actorOf(rt, c), c.req.valid('param').key_id);
      return c.json(view(key, rt.clock.now()), 200);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/api-keys/{key_id}/revoke', summary: 'Revoke an API key', tags, security: bearerSecurity, request: { params: KeyIdParam }, responses: { 200: jsonResponse(ApiKeyView, 'Revoked (idempotent)'), ...errors } }),
    async (c) => {
      const key = await revokeKey(rt, await actorOf(rt, c), c.req.valid('param').key_id);
      return c.json(view(key, rt.clock.now()), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api-keys/{key_id}/roll',
      summary: 'Roll an API key: new secret now, old one after a grace period',
      tags,
      security: bearerSecurity,
      request: { params: KeyIdParam, body: { ...jsonBody(RollBody), required: false } },
      responses: { 200: jsonResponse(WithSecret, 'Rolled; the new secret is in `key`'), ...errors },
    }),
    async (c) => {
      const grace = (c.req.valid('json') as z.infer<typeof RollBody> | undefined)?.grace_seconds ?? 0;
      const { key, secret } = await rollKey(rt, await actorOf(rt, c), c.req.valid('param').key_id, grace * 1000);
      return c.json({ ...view(key, rt.clock.now()), key: secret }, 200, { 'Cache-Control': 'no-store' });
    },
  );

  return app;
}
