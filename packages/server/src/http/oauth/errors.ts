/**
 * The OAuth surface's error body (RFC 6749 §5.2): `{"error", "error_description"}`, with
 * `Cache-Control: no-store`. A failed client authentication through the Authorization header
 * answers 401 with `WWW-Authenticate: Basic` (§5.2); throttling answers 429 `slow_down` with
 * `Retry-After`.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { GatehouseError } from '../../core/errors.js';

const OAUTH_CODE: Partial<Record<GatehouseError['code'], string>> = {
  invalid_request: 'invalid_request',
  validation_failed: 'invalid_request',
  unsupported_media_type: 'invalid_request',
  payload_too_large: 'invalid_request',
  not_found: 'invalid_request',
  unauthenticated: 'invalid_client',
  throttled: 'slow_down',
  conflict: 'invalid_request',
  internal: 'server_error',
};

export function oauthErrorResponse(c: Context, err: GatehouseError): Response {
  const error = OAUTH_CODE[err.code] ?? err.code;
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
  if (err.code === 'invalid_client' && /^basic /i.test(c.req.header('authorization') ?? '')) headers['WWW-Authenticate'] = 'Basic realm="gatehouse"';
  if (err.code === 'throttled') headers['Retry-After'] = String(err.extra.retry_after);
  const body = err.expose ? { error, error_description: err.detail } : { error: 'server_error', error_description: 'Internal server error' };
  return c.json(body, err.status as ContentfulStatusCode, headers);
}
