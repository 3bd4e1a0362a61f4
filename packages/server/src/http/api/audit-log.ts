/** GET /v1/admin/audit-log (scope `admin`): admins see every entry, other accounts their own. */
import { createRoute, z } from '@hono/zod-openapi';
import { authenticate, principalUser, requireScopes } from '../auth.js';
import type { Runtime } from '../../core/runtime.js';
import { bearerSecurity, errorResponses, iso, jsonRouter } from './openapi.js';

const Entry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor_type: z.string(),
    actor_id: z.string().nullable(),
    subject_user_id: z.string().nullable(),
    action: z.string(),
    target: z.string().nullable(),
    ip: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional().describe('Return entries older than this id'),
});

export function auditLogRoutes(rt: Runtime) {
  const app = jsonRouter();
  app.use('/admin/audit-log', authenticate(rt), requireScopes('admin'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/audit-log',
      summary: 'Read the audit log (scope admin)',
      tags: ['Admin'],
      security: bearerSecurity,
      request: { query: Query },
      responses: {
        200: { description: 'Newest first', content: { 'application/json': { schema: z.object({ data: z.array(Entry) }) } } },
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const user = await principalUser(rt, c);
      const entries = await rt.store.audit.list({
        limit: q.limit,
        ...(q.before !== undefined ? { beforeId: q.before } : {}),
        ...(user.isAdmin ? {} : { subjectUserId: user.id }),
      });
      const data = entries.map((e) => ({
        id: e.id,
        at: iso(e.at)!,
        actor_type: e.actorType,
        actor_id: e.actorId,
        subject_user_id: e.subjectUserId,
        action: e.action,
        target: e.target,
        ip: e.ip,
        detail: e.detail,
      }));
      return c.json({ data }, 200);
    },
  );
  return app;
}
