/**
 * The router every OAuth endpoint is declared on, and the OpenAPI pieces they share. Its
 * validation hook turns a request that fails its schema into RFC 6749 §5.2 `invalid_request`
 * (400) — never the 422 of /v1 — which errors.ts then renders like any other OAuth error.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { type GatehouseError, invalidRequest } from '../../core/errors.js';
import { OAuthErrorBody } from '../../core/oauth/wire.js';
import { jsonResponse } from '../api/openapi.js';
import type { AppEnv } from '../env.js';

export const FORM = 'application/x-www-form-urlencoded';

/** Token endpoint answers, success or error, are never cached (RFC 6749 §5.1, §5.2). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** The message of a required parameter that is absent (or empty, where empty counts as absent). */
const MISSING = 'missing';

/** A required form parameter: without it the answer is "Missing <name>". */
export const required = () => z.string({ error: (issue) => (issue.input === undefined ? MISSING : undefined) });

/** A required parameter that may not be empty either (RFC 6749 §3.1: no value counts as omitted). */
export const nonEmpty = () => required().min(1, MISSING);

/** The invalid_request a request that fails its schema gets: "Missing <name>" or "Invalid <name>: …". */
export function formError(error: z.ZodError): GatehouseError {
  const issue = error.issues[0];
  const name = issue?.path.map(String).join('.') || 'body';
  return invalidRequest(issue?.message === MISSING ? `Missing ${name}` : `Invalid ${name}: ${issue?.message ?? 'malformed request'}`);
}

export function oauthRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw formError(result.error);
    },
  });
}

/** Client authentication in the form (client_secret_post, or `none` for public apps; RFC 6749 §2.3.1). */
export const CLIENT_AUTH = {
  client_id: z.string().optional().describe('Required for public apps; for confidential apps, when not using HTTP Basic'),
  client_secret: z.string().optional().describe('`cs_…`, when not using HTTP Basic (client_secret_post)'),
};

/** HTTP Basic (client_secret_basic), or the form fields above. */
export const clientSecurity = [{ clientBasic: [] }, {}];

export const CLIENT_BASIC_SCHEME = {
  type: 'http',
  scheme: 'basic',
  description: 'OAuth client authentication (client_secret_basic): the client_id and `cs_…` secret, each form-url-encoded',
} as const;

export const formBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { [FORM]: { schema } } });


export const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request or grant',
  401: 'Client authentication failed',
  429: 'Throttled (`slow_down`); see Retry-After',
};

/** RFC 6749 §5.2 error responses. */
export const oauthErrors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, jsonResponse(OAuthErrorBody, ERROR_DESCRIPTIONS[code] ?? 'Error')]));
