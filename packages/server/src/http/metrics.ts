/**
 * `GET /metrics`: the Prometheus text exposition of this instance. Off unless
 * `GATEHOUSE_METRICS_TOKEN` is set; then the request must carry `Authorization: Bearer <token>`,
 * compared in constant time. Off, the path answers exactly like an unknown one (404).
 */
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { parseBearer } from '@gatehouse/verify';
import { hashSecret, safeEqual } from '../core/credentials.js';
import { notFound, unauthenticated } from '../core/errors.js';
import type { Runtime } from '../core/runtime.js';
import { bearerSecurity, errorResponses } from './api/openapi.js';
import type { AppEnv } from './env.js';
import { requestHeader } from './request-header.js';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['Operations'],
  summary: 'Prometheus metrics of this instance (only when GATEHOUSE_METRICS_TOKEN is set)',
  description:
    'Requires `Authorization: Bearer <GATEHOUSE_METRICS_TOKEN>`. Without that setting the path does not exist (404). See docs/observability.md for the series.',
  security: bearerSecurity,
  responses: {
    200: {
      description: 'The Prometheus text format (version 0.0.4)',
      content: { 'text/plain': { schema: z.string() } },
    },
    ...errorResponses(401, 404),
  },
});

export function metricsRoutes(app: OpenAPIHono<AppEnv>, rt: Runtime): void {
  const token = rt.config.metricsToken;
  // Digests of equal length, so the comparison takes the same time whatever was sent.
  const expected = token === null ? null : hashSecret(token);
  app.openapi(metricsRoute, async (c) => {
    if (expected === null) throw notFound(`No route for ${c.req.method} ${c.req.path}`);
    const header = requestHeader(c, 'authorization');
    const sent = header === undefined ? undefined : parseBearer(header);
    if (sent === undefined || !safeEqual(hashSecret(sent), expected)) throw unauthenticated('A valid metrics token is required');
    const { contentType, body } = await rt.metrics.scrape();
    return c.text(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  });
}
