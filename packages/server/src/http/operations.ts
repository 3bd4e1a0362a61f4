/**
 * The operational endpoints: liveness (`/healthz`), readiness (`/readyz`: the database answers)
 * and this server's OpenAPI document (`/openapi.json`), which is generated from the routes'
 * own schemas on each request and documents itself like every other route.
 */
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { jsonResponse } from './api/openapi.js';
import type { AppEnv } from './env.js';
import type { Runtime } from '../core/runtime.js';

const Database = z.enum(['sqlite', 'postgres']);

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Operations'],
  summary: 'Liveness: the process answers',
  responses: { 200: jsonResponse(z.object({ status: z.literal('ok') }), 'Alive') },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['Operations'],
  summary: 'Readiness: the database answers',
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ok'), database: Database }), 'Ready'),
    503: jsonResponse(z.object({ status: z.literal('unavailable'), database: Database }), 'The database does not answer'),
  },
});

const documentRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags: ['Operations'],
  summary: 'This OpenAPI 3.1 document',
  responses: { 200: jsonResponse(z.record(z.string(), z.unknown()), 'The document') },
});

/** Registers the operational endpoints on `app`, whose routes `/openapi.json` documents. */
export function operationRoutes(app: OpenAPIHono<AppEnv>, rt: Runtime): void {
  const { store } = rt;
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyRoute, async (c) => {
    try {
      await store.ping();
      return c.json({ status: 'ok' as const, database: store.kind }, 200);
    } catch {
      return c.json({ status: 'unavailable' as const, database: store.kind }, 503);
    }
  });
  app.openapi(documentRoute, (c) => {
    // Spread: the generator's result type is an interface, which a record type does not admit.
    const document: Record<string, unknown> = {
      ...app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'Gatehouse API', version: '0.1.0', description: 'Management and sample APIs of a Gatehouse server.' },
        servers: [{ url: rt.config.issuer }],
      }),
    };
    return c.json(document, 200);
  });
}
