/**
 * The sample protected API: /v1/agents (the platform's own resource) and the admin audit log.
 * It shows how a route declares the scopes it needs; agents belong to the caller's account.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { createAgent, deleteAgent, getAgent, updateAgent } from '../../core/agents.js';
import type { AgentRecord } from '../../store/store.js';
import { authenticate, requireScopes } from '../auth.js';
import type { Runtime } from '../../core/runtime.js';
import { bearerSecurity, errorResponses, iso, jsonBody, jsonRouter } from './openapi.js';

const Agent = z
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

const view = (a: AgentRecord) => ({
  id: a.id,
  name: a.name,
  description: a.description,
  created_at: iso(a.createdAt)!,
  updated_at: iso(a.updatedAt)!,
});
const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = errorResponses(400, 401, 403, 404, 415, 422);
const tags = ['Agents (sample API)'];

export function agentRoutes(rt: Runtime) {
  
  const app = jsonRouter();
  // '/agents/*' also matches '/agents': one registration, one check per request.
  app.use('/agents/*', authenticate(rt));
  const scoped = (scope: string) => ({ middleware: requireScopes(scope), security: bearerSecurity, tags });

  app.openapi(
    createRoute({ method: 'get', path: '/agents', summary: 'List your agents (scope read)', ...scoped('read'), responses: { 200: json(z.object({ data: z.array(Agent) }), 'Your agents'), ...errors } }),
    async (c) => c.json({ data: (await rt.store.listAgents(c.get('principal').userId)).map(view) }, 200),
  );
  app.openapi(
    createRoute({ method: 'post', path: '/agents', summary: 'Create an agent (scope write)', ...scoped('write'), request: { body: jsonBody(CreateAgent) }, responses: { 201: json(Agent, 'Created'), ...errors } }),
    async (c) => c.json(view(await createAgent(rt, c.get('principal').userId, c.req.valid('json'))), 201),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/agents/{id}', summary: 'Get an agent (scope read)', ...scoped('read'), request: { params: IdParam }, responses: { 200: json(Agent, 'The agent'), ...errors } }),
    async (c) => c.json(view(await getAgent(rt, c.get('principal').userId, c.req.valid('param').id)), 200),
  );
  app.openapi(
    createRoute({ method: 'patch', path: '/agents/{id}', summary: 'Update an agent (scope write)', ...scoped('write'), request: { params: IdParam, body: jsonBody(UpdateAgent) }, responses: { 200: json(Agent, 'Updated'), ...errors } }),
    async (c) => c.json(view(await updateAgent(rt, c.get('principal').userId, c.req.valid('param').id, c.req.valid('json'))), 200),
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/agents/{id}', summary: 'Delete an agent (scope delete)', ...scoped('delete'), request: { params: IdParam }, responses: { 204: { description: 'Deleted' }, ...errors } }),
    async (c) => {
      await deleteAgent(rt, c.get('principal').userId, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
  return app;
}
