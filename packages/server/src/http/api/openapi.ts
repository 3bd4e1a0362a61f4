/**
 * Shared pieces for JSON routes: an OpenAPIHono whose validation failures become 422s with
 * field paths, the error body schema, and the security scheme every /v1 route declares.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { validationFailed } from '../../core/errors.js';
import type { AppEnv } from '../env.js';

interface Issue {
  path: PropertyKey[];
  message: string;
  code: string;
}

export function fieldErrors(issues: readonly Issue[]) {
  return issues.map((i) => ({
    field: i.path.map(String).join('.') || '(body)',
    message: i.message,
    type: i.code,
  }));
}

/** A router for JSON routes; `E` is the environment its middleware sets (the product's by default). */
export function jsonRouter<E extends Env = AppEnv>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) {
        const errors = fieldErrors(result.error.issues);
        const first = errors[0]!;
        throw validationFailed(`Invalid request: ${first.field}: ${first.message}`, { errors });
      }
    },
  });
}

export const ErrorBody = z
  .object({
    detail: z.string(),
    status_code: z.number().int(),
    extra: z.record(z.string(), z.unknown()),
  })
  .openapi('Error');

export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [code, { description: describe(code), content: { 'application/json': { schema: ErrorBody } } }]),
  );

function describe(code: number): string {
  return (
    {
      400: 'Bad request (bad parameters, unknown scope, malformed JSON)',
      401: 'Missing, invalid, expired or revoked credentials',
      403: 'Valid credentials lacking a required scope',
      404: 'Not found',
      409: 'Conflict with the current state (e.g. a limit reached)',
      413: 'Request body too large',
      415: 'Content-Type is not application/json',
      422: 'Validation error; `extra.errors` lists field paths',
      429: 'Throttled; see Retry-After',
    }[code] ?? 'Error'
  );
}

export const bearerSecurity = [{ bearer: [] }];

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** A response documented with its JSON schema. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
