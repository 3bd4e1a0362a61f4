/**
 * OpenAPI entries for the routes that are not built with `createRoute` yet: the agent skills
 * and the operational endpoints. They are documented here so `/openapi.json` lists every route
 * a client can call; the handlers stay where they are.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { ErrorBody } from './api/openapi.js';
import type { AppEnv } from './env.js';

const SkillList = z
  .object({
    data: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        url: z.string().describe('Where the rendered SKILL.md is served'),
      }),
    ),
  })
  .openapi('SkillList');

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

export function registerExtraPaths(app: OpenAPIHono<AppEnv>): void {
  const r = app.openAPIRegistry;
  r.registerPath({
    method: 'get',
    path: '/skills',
    tags: ['Agent skills'],
    summary: 'The agent skills this server serves',
    responses: { 200: json(SkillList, 'Every skill, with its description and URL') },
  });
  r.registerPath({
    method: 'get',
    path: '/skills/{name}/SKILL.md',
    tags: ['Agent skills'],
    summary: 'One agent skill, rendered with this server\'s URL and scopes',
    request: { params: z.object({ name: z.string().describe('e.g. `gatehouse-authentication`') }) },
    responses: {
      200: { description: 'The skill', content: { 'text/markdown': { schema: z.string() } } },
      404: json(ErrorBody, 'No such skill'),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/healthz',
    tags: ['Operations'],
    summary: 'Liveness: the process answers',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
  });
  r.registerPath({
    method: 'get',
    path: '/readyz',
    tags: ['Operations'],
    summary: 'Readiness: the database answers',
    responses: {
      200: json(z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']) }), 'Ready'),
      503: json(z.object({ status: z.literal('unavailable'), database: z.enum(['sqlite', 'postgres']) }), 'The database does not answer'),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/openapi.json',
    tags: ['Operations'],
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: json(z.record(z.string(), z.unknown()), 'The document') },
  });
}
