/**
 * The one error hierarchy. Every failure Gatehouse reports is a GatehouseError with a
 * stable string `code`; each HTTP surface maps it exactly once (v0/v1 JSON, OAuth JSON,
 * console HTML). `expose` is false for internal failures: their detail never leaves the server.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'insufficient_scope'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'throttled'
  | 'internal'
  // RFC 6749 §4.1.2.1 and §5.2 error codes, used by the OAuth endpoints.
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  validation_failed: 422,
  unauthenticated: 401,
  insufficient_scope: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  method_not_allowed: 405,
  throttled: 429,
  internal: 500,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  access_denied: 403,
};

export type ErrorExtra = Record<string, unknown>;

export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly extra: ErrorExtra;
  readonly expose: boolean;

  constructor(code: ErrorCode, detail: string, extra: ErrorExtra = {}, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'GatehouseError';
    this.code = code;
    this.status = STATUS[code];
    this.detail = detail;
    this.extra = extra;
    this.expose = code !== 'internal';
  }
}

export const invalidRequest = (detail: string, extra?: ErrorExtra) =>
  new GatehouseError('invalid_request', detail, extra);
export const validationFailed = (detail: string, extra?: ErrorExtra) =>
  new GatehouseError('validation_failed', detail, extra);
export const unauthenticated = (detail = 'Invalid or missing credentials', extra?: ErrorExtra) =>
  new GatehouseError('unauthenticated', detail, extra);
export const insufficientScope = (missing: readonly string[]) =>
  new GatehouseError('insufficient_scope', `Missing required scope: ${missing.join(' ')}`, {
    required_scopes: [...missing],
  });
export const forbidden = (detail: string, extra?: ErrorExtra) => new GatehouseError('forbidden', detail, extra);
export const notFound = (detail = 'Not found') => new GatehouseError('not_found', detail);
export const conflict = (detail: string, extra?: ErrorExtra) => new GatehouseError('conflict', detail, extra);
export const throttled = (retryAfterSeconds: number) =>
  new GatehouseError('throttled', 'Too many attempts; try again later', {
    retry_after: Math.max(1, Math.ceil(retryAfterSeconds)),
  });

/** An OAuth error (RFC 6749) with its registered code. */
export const oauthError = (
  code: 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'unsupported_response_type' | 'invalid_scope' | 'access_denied',
  detail: string,
  extra?: ErrorExtra,
) => new GatehouseError(code, detail, extra);

/** Any thrown value as a GatehouseError; unknown failures become a generic, unexposed 500. */
export function toGatehouseError(err: unknown): GatehouseError {
  if (err instanceof GatehouseError) return err;
  return new GatehouseError('internal', 'Internal server error', {}, { cause: err });
}
