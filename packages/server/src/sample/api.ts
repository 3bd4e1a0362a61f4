/**
 * The sample API, `/v1/agents`: a resource server like any a platform would write, mounted in
 * the Gatehouse process. It authenticates through `@gatehouse/verify`'s Hono adapter, as any
 * resource server does (docs/verify.md), with the in-process verifier instead of one that asks
 * the issuer over HTTP; each route declares the scope it needs. It keeps its agents in its own
 * storage (agent-book.ts), never in Gatehouse's store, and knows nothing of Gatehouse's core.
 *
 * Its answers are those of every /v1 route: refusals are rendered by the adapter in the same
 * `{"detail", "status_code", "extra"}` shape and `WWW-Authenticate` challenge (realm
 * "gatehouse"); validation failures (422 with field paths), 404 and the body errors (413,
 * 415, 400) go through the app's one error mapping.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { type HonoAuthEnv, type Verifier, honoAuth, missingCredentials, refusalFor } from '@gatehouse/verify';
import type { MiddlewareHandler } from 'hono';
import { conflict, notFound } from '../core/errors.js';
import { bearerSecurity, errorResponses, iso, jsonBody, jsonRouter, jsonResponse } from '../http/api/openapi.js';
import type { Clock } from '../core/clock.js';
import { REALM } from '../http/errors.js';
import { type Agent, AgentBook } from './agent-book.js';

const AgentView = z
  .object({ id: z.string(), name: z.string(), description: z.string(), created_at: z.string(), updated_at: z.string() })
  .openapi('Agent');
const CreateAgent = z
  .object({ name: z.string().trim().min(1).max(200), description: z.string().max(2000).optional() })
  .strict()
  .openapi('CreateAgent');
const UpdateAgent = z
  .object({ name: z.string().trim().min(1).max(200).optional(), description: z.string().max(2000).optional() })
  .strict()
  .openapi('UpdateAgent');
const IdParam = z.object({ id: z.string().min(1).max(64) });

const view = (a: Agent) => ({
  id: a.id,
  name: a.name,
  description: a.description,
  created_at: iso(a.createdAt)!,
  updated_at: iso(a.updatedAt)!,
});
const errors = errorResponses(400, 401, 403, 404, 415, 422);
const tags = ['Agents (sample API)'];

/**
 * Gatehouse's own /v1 routes name the credential they expect when a request sends none; the
 * adapter's default wording says "<token>". The sample answers exactly as they do.
 */
const NO_CREDENTIALS = refusalFor(missingCredentials('Missing credentials: send "Authorization: Bearer <API key>"'), { realm: REALM });
const requireAuthorizationHeader: MiddlewareHandler<HonoAuthEnv> = async (c, next) => {
  if (c.req.header('authorization') === undefined) return c.json(NO_CREDENTIALS.body, NO_CREDENTIALS.status, NO_CREDENTIALS.headers);
  await next();
  return undefined;
};

/** `verifier`: how bearer credentials are checked (in this process: `localVerifier(rt)`); `clock`: for timestamps. */
export function sampleApi(verifier: Verifier, clock: Clock, book = new AgentBook()) {
  const auth = honoAuth(verifier, { realm: REALM });
  const app = jsonRouter<HonoAuthEnv>();
  // '/agents/*' also matches '/agents': one registration, one credential check per request.
  app.use('/agents/*', requireAuthorizationHeader, auth.authenticate);
  const scoped = (scope: string) => ({ middleware: auth.requireScopes(scope), security: bearerSecurity, tags });
  const found = (agent: Agent | undefined) => {
    if (!agent) throw notFound('Agent not found');
    return view(agent);
  };

  app.openapi(
    createRoute({ method: 'get', path: '/agents', summary: 'List your agents (scope read)', ...scoped('read'), responses: { 200: jsonResponse(z.object({ data: z.array(AgentView) }), 'Your agents'), ...errors } }),
    (c) => c.json({ data: book.list(c.get('credential').subject).map(view) }, 200),
  );
  app.openapi(
    createRoute({ method: 'post', path: '/agents', summary: 'Create an agent (scope write)', ...scoped('write'), request: { body: jsonBody(CreateAgent) }, responses: { 201: jsonResponse(AgentView, 'Created'), ...errors, ...errorResponses(409) } }),
    (c) => {
      const outcome = book.create(c.get('credential').subject, c.req.valid('json'), clock.now());
      if (outcome.status === 'owner-full') throw conflict(`An account may keep at most ${book.limits.perOwner} sample agents`);
      if (outcome.status === 'full') throw conflict('The sample API holds as many agents as it will; delete some first');
      return c.json(view(outcome.agent), 201);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/agents/{id}', summary: 'Get an agent (scope read)', ...scoped('read'), request: { params: IdParam }, responses: { 200: jsonResponse(AgentView, 'The agent'), ...errors } }),
    (c) => c.json(found(book.get(c.get('credential').subject, c.req.valid('param').id)), 200),
  );
  app.openapi(
    createRoute({ method: 'patch', path: '/agents/{id}', summary: 'Update an agent (scope write)', ...scoped('write'), request: { params: IdParam, body: jsonBody(UpdateAgent) }, responses: { 200: jsonResponse(AgentView, 'Updated'), ...errors } }),
    (c) => c.json(found(book.update(c.get('credential').subject, c.req.valid('param').id, c.req.valid('json'), clock.now())), 200),
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/agents/{id}', summary: 'Delete an agent (scope delete)', ...scoped('delete'), request: { params: IdParam }, responses: { 204: { description: 'Deleted' }, ...errors } }),
    (c) => {
      if (!book.delete(c.get('credential').subject, c.req.valid('param').id)) throw notFound('Agent not found');
      return c.body(null, 204);
    },
  );
  return app;
}
