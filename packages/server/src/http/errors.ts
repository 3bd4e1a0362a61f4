/**
 * Maps GatehouseError to each surface's response, in one place:
 * /v0 and /v1 answer `{"detail", "status_code", "extra"}`; console pages an HTML page.
 * Hono's own HTTPExceptions (malformed JSON, body too large, wrong media type) are translated
 * first so they get the same shapes. A 500 says only "Internal server error".
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { GatehouseError, toGatehouseError } from '../core/errors.js';
import { describeError } from '../log.js';
import { WriteConflict } from '../store/connect.js';
import { formatWwwAuthenticate } from '@gatehouse/verify';
import type { AppEnv } from './env.js';
import type { Runtime } from '../core/runtime.js';

/** Failures with a meaning for the client: Hono's HTTPExceptions and a write that kept conflicting (409). */
export function fromKnownError(err: unknown): unknown {
  if (err instanceof WriteConflict) return new GatehouseError('conflict', 'A concurrent change conflicted with this one; retry the request');
  if (!(err instanceof HTTPException)) return err;
  switch (err.status) {
    case 400:
      return new GatehouseError('invalid_request', err.message || 'Bad request');
    case 413:
      return new GatehouseError('payload_too_large', 'Request body is too large');
    case 415:
      return new GatehouseError('unsupported_media_type', 'Content-Type must be application/json');
    case 401:
      return new GatehouseError('unauthenticated', 'Invalid or missing credentials');
    default:
      return err.status >= 500 ? err : new GatehouseError('invalid_request', err.message || 'Bad request');
  }
}

export const REALM = 'gatehouse';

/**
 * RFC 6750 §3, formatted by @gatehouse/verify's pure formatter, exactly as resource servers
 * answer: no error code when the request carried no credentials at all.
 */
export function wwwAuthenticate(err: GatehouseError, hadCredentials: boolean): string | undefined {
  if (err.code === 'unauthenticated') {
    return formatWwwAuthenticate(hadCredentials ? { realm: REALM, error: 'invalid_token', errorDescription: err.detail } : { realm: REALM });
  }
  if (err.code === 'insufficient_scope') {
    const required = (err.extra.required_scopes as string[] | undefined) ?? [];
    return formatWwwAuthenticate({ realm: REALM, error: 'insufficient_scope', scope: required.join(' ') });
  }
  return undefined;
}

export function normalizeError(rt: Runtime, c: Context<AppEnv>, thrown: unknown): GatehouseError {
  const err = toGatehouseError(fromKnownError(thrown));
  if (!err.expose) {
    rt.log.error('request failed', { method: c.req.method, path: c.req.path, ...describeError(err.cause ?? thrown) });
  }
  return err;
}

export function apiError(c: Context<AppEnv>, err: GatehouseError): Response {
  const headers: Record<string, string> = {};
  const www = wwwAuthenticate(err, c.req.header('authorization') !== undefined);
  if (www) headers['WWW-Authenticate'] = www;
  if (err.code === 'throttled') headers['Retry-After'] = String(err.extra.retry_after);
  const body = err.expose
    ? { detail: err.detail, status_code: err.status, extra: err.extra }
    : { detail: 'Internal server error', status_code: 500, extra: {} };
  return c.json(body, err.status as ContentfulStatusCode, headers);
}
