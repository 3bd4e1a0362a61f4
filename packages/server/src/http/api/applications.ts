/**
 * /v1/applications: register and manage OAuth applications (clients) with a console session
 * or a credential holding `admin`. The `cs_…` client secret appears only in the responses to
 * create and rotate-secret (with `Cache-Control: no-store`); Gatehouse stores its hash.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { type ClientSettings, DEFAULT_REFRESH_GRACE_SECONDS, MAX_REDIRECT_URIS, MAX_REFRESH_GRACE_SECONDS, createClient, deleteClient, getManagedClient, rotateClientSecret, updateClient } from '../../core/oauth/clients.js';
import type { ClientRecord } from '../../core/model/client.js';
import { actorOf, assertCanGrant, authenticate, requireSessionOrAdmin } from '../auth.js';
import type { Runtime } from '../../core/runtime.js';
import { bearerSecurity, errorResponses, iso, jsonBody, jsonRouter, jsonResponse } from './openapi.js';

export const ApplicationView = z
  .object({
    client_id: z.string(),
    owner_id: z.string(),
    name: z.string(),
    type: z.enum(['confidential', 'public']),
    redirect_uris: z.array(z.string()),
    scopes: z.array(z.string()).describe('The scopes the application may ask users for'),
    jwt_access_tokens: z.boolean().describe('Issue RFC 9068 JWT access tokens instead of opaque `at_…` tokens'),
    refresh_grace_seconds: z.number().int().describe('How long a replayed, just-rotated refresh token returns the same successor'),
    client_secret_start: z.string().nullable().describe('The first characters of the current secret, for recognition; null for public apps'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Application');

const WithSecret = ApplicationView.extend({
  client_secret: z.string().nullable().describe('The `cs_…` secret, shown only in this response; null for public applications'),
}).openapi('ApplicationWithSecret');

const name = z.string().trim().min(1).max(100);
const redirectUris = z.array(z.string().min(1).max(2000)).min(1, 'at least one redirect URI is required').max(MAX_REDIRECT_URIS);
const scopes = z.array(z.string().min(1)).min(1, 'at least one scope must be provided');
const jwtAccessTokens = z.boolean();
const grace = z.number().int().min(0).max(MAX_REFRESH_GRACE_SECONDS).describe('Refresh reuse window in seconds: a replay of the just-rotated refresh token within it returns the same successor; 0 is strict rotation (every replay revokes the grant)');

const CreateBody = z
  .object({
    name,
    type: z.enum(['confidential', 'public']).default('confidential').describe('Confidential apps get a secret; public apps use PKCE only'),
    redirect_uris: redirectUris,
    scopes,
    jwt_access_tokens: jwtAccessTokens.default(false),
    refresh_grace_seconds: grace.default(DEFAULT_REFRESH_GRACE_SECONDS),
  })
  .strict()
  .openapi('CreateApplication');

const UpdateBody = z
  .object({
    name: name.optional(),
    redirect_uris: redirectUris.optional(),
    scopes: scopes.optional(),
    jwt_access_tokens: jwtAccessTokens.optional(),
    refresh_grace_seconds: grace.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'send at least one field to change' })
  .openapi('UpdateApplication');

const ClientIdParam = z.object({ client_id: z.string().min(1).max(64) });

export function applicationView(client: ClientRecord) {
  return {
    client_id: client.id,
    owner_id: client.ownerId,
    name: client.name,
    type: client.type,
    redirect_uris: client.redirectUris,
    scopes: client.scopes,
    jwt_access_tokens: client.jwtAccessTokens,
    refresh_grace_seconds: client.refreshGraceSeconds,
    client_secret_start: client.secretStart,
    created_at: iso(client.createdAt)!,
    updated_at: iso(client.updatedAt)!,
  };
}

const errors = errorResponses(400, 401, 403, 404, 415, 422);
const tags = ['Applications'];
const NO_STORE = { 'Cache-Control': 'no-store' };

export function applicationRoutes(rt: Runtime) {
  
  const app = jsonRouter();
  // '/applications/*' also matches '/applications': one registration, one check per request.
  app.use('/applications/*', authenticate(rt), requireSessionOrAdmin);

  app.openapi(
    createRoute({ method: 'get', path: '/applications', summary: 'List your OAuth applications', tags, security: bearerSecurity, responses: { 200: jsonResponse(z.object({ data: z.array(ApplicationView) }), 'Your applications'), ...errors } }),
    async (c) => c.json({ data: (await rt.store.oauth.clients.list(c.get('principal').userId)).map(applicationView) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/applications',
      summary: 'Register an OAuth application (the secret is returned once)',
      tags,
      security: bearerSecurity,
      request: { body: jsonBody(CreateBody) },
      responses: { 201: jsonResponse(WithSecret, 'Registered; the secret is in `client_secret`'), ...errors },
    }),
    async (c) => {
      const body = c.req.valid('json');
      assertCanGrant(rt, c, body.scopes);
      const actor = await actorOf(rt, c);
      const { client, secret } = await createClient(rt, actor, actor.user!.id, body.type, {
        name: body.name,
        redirectUris: body.redirect_uris,
        scopes: body.scopes,
        jwtAccessTokens: body.jwt_access_tokens,
        refreshGraceSeconds: body.refresh_grace_seconds,
      });
      return c.json({ ...applicationView(client), client_secret: secret }, 201, NO_STORE);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/applications/{client_id}', summary: 'Get an OAuth application', tags, security: bearerSecurity, request: { params: ClientIdParam }, responses: { 200: jsonResponse(ApplicationView, 'The application'), ...errors } }),
    async (c) => {
      const client = await getManagedClient(rt, await actorOf(rt, c), c.req.valid('param').client_id);
      return c.json(applicationView(client), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/applications/{client_id}',
      summary: 'Update an OAuth application',
      tags,
      security: bearerSecurity,
      request: { params: ClientIdParam, body: jsonBody(UpdateBody) },
      responses: { 200: jsonResponse(ApplicationView, 'Updated'), ...errors },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (body.scopes) assertCanGrant(rt, c, body.scopes);
      const patch: Partial<ClientSettings> = {};
      if (body.name !== undefined) patch.name = body.name;
      if (body.redirect_uris !== undefined) patch.redirectUris = body.redirect_uris;
      if (body.scopes !== undefined) patch.scopes = body.scopes;
      if (body.jwt_access_tokens !== undefined) patch.jwtAccessTokens = body.jwt_access_tokens;
      if (body.refresh_grace_seconds !== undefined) patch.refreshGraceSeconds = body.refresh_grace_seconds;
      const client = await updateClient(rt, await actorOf(rt, c), c.req.valid('param').client_id, patch);
      return c.json(applicationView(client), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/applications/{client_id}/rotate-secret',
      summary: 'Rotate the client secret (the new one is returned once)',
      tags,
      security: bearerSecurity,
      request: { params: ClientIdParam },
      responses: { 200: jsonResponse(WithSecret, 'Rotated; the old secret stops working at once, the new one is in `client_secret`'), ...errors },
    }),
    async (c) => {
      const { client, secret } = await rotateClientSecret(rt, await actorOf(rt, c), c.req.valid('param').client_id);
      return c.json({ ...applicationView(client), client_secret: secret }, 200, NO_STORE);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/applications/{client_id}',
      summary: 'Delete an OAuth application and revoke its grants',
      tags,
      security: bearerSecurity,
      request: { params: ClientIdParam },
      responses: { 204: { description: 'Deleted; every grant and token of the application is revoked' }, ...errors },
    }),
    async (c) => {
      await deleteClient(rt, await actorOf(rt, c), c.req.valid('param').client_id);
      return c.body(null, 204);
    },
  );

  return app;
}
