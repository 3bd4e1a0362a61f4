/**
 * The SDK's errors. Every error it throws is a `GatehouseClientError`; failures the server
 * reported keep their wire fields so callers can branch on them:
 * - `GatehouseApiError`: a `/v0` or `/v1` answer `{"detail", "status_code", "extra"}`;
 * - `GatehouseOAuthError`: an RFC 6749 §5.2 answer `{"error", "error_description"}`, or an
 *   authorization error that came back on the redirect (§4.1.2.1; then `status` is undefined).
 */

/** Base class: `code` is a stable string (`invalid_response`, `not_signed_in`, …). */
export class GatehouseClientError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatehouseClientError';
    this.code = code;
  }
}

export interface ApiErrorFields {
  status: number;
  detail: string;
  extra: Record<string, unknown>;
  /** Seconds from `Retry-After` (429 answers), when present. */
  retryAfter?: number | undefined;
  /** The `WWW-Authenticate` challenge (401/403 answers), when present. */
  wwwAuthenticate?: string | undefined;
}

export class GatehouseApiError extends GatehouseClientError {
  readonly status: number;
  readonly detail: string;
  readonly extra: Record<string, unknown>;
  readonly retryAfter: number | undefined;
  readonly wwwAuthenticate: string | undefined;

  constructor(fields: ApiErrorFields) {
    super(`http_${fields.status}`, `${fields.status}: ${fields.detail}`);
    this.name = 'GatehouseApiError';
    this.status = fields.status;
    this.detail = fields.detail;
    this.extra = fields.extra;
    this.retryAfter = fields.retryAfter;
    this.wwwAuthenticate = fields.wwwAuthenticate;
  }

  /** Reads an error response (the body is consumed). Bodies of another shape keep their text as `detail`. */
  static async fromResponse(res: Response): Promise<GatehouseApiError> {
    const body = await readBody(res);
    const obj = isObject(body.json) ? body.json : undefined;
    const detail = typeof obj?.detail === 'string' ? obj.detail : body.text.slice(0, 500) || res.statusText || `HTTP ${res.status}`;
    const extra = isObject(obj?.extra) ? obj.extra : {};
    return new GatehouseApiError({
      status: res.status,
      detail,
      extra,
      retryAfter: retryAfterSeconds(res),
      wwwAuthenticate: res.headers.get('www-authenticate') ?? undefined,
    });
  }
}

export interface OAuthErrorFields {
  /** The HTTP status, or undefined when the error arrived on the redirect back to the app. */
  status: number | undefined;
  /** The RFC 6749 code (`invalid_grant`, `access_denied`, …) or one of the SDK's callback checks: `state_mismatch`, `issuer_mismatch`, `missing_code`. */
  error: string;
  errorDescription?: string | undefined;
  retryAfter?: number | undefined;
}

export class GatehouseOAuthError extends GatehouseClientError {
  readonly status: number | undefined;
  readonly error: string;
  readonly errorDescription: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(fields: OAuthErrorFields) {
    super(fields.error, fields.errorDescription ? `${fields.error}: ${fields.errorDescription}` : fields.error);
    this.name = 'GatehouseOAuthError';
    this.status = fields.status;
    this.error = fields.error;
    this.errorDescription = fields.errorDescription;
    this.retryAfter = fields.retryAfter;
  }

  static async fromResponse(res: Response): Promise<GatehouseOAuthError> {
    const body = await readBody(res);
    const obj = isObject(body.json) ? body.json : undefined;
    return new GatehouseOAuthError({
      status: res.status,
      error: typeof obj?.error === 'string' ? obj.error : `http_${res.status}`,
      errorDescription: typeof obj?.error_description === 'string' ? obj.error_description : body.text.slice(0, 500) || undefined,
      retryAfter: retryAfterSeconds(res),
    });
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function readBody(res: Response): Promise<{ text: string; json: unknown }> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    return { text: '', json: undefined };
  }
  try {
    return { text, json: text ? (JSON.parse(text) as unknown) : undefined };
  } catch {
    return { text, json: undefined };
  }
}

function retryAfterSeconds(res: Response): number | undefined {
  const value = res.headers.get('retry-after');
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/**
 * True for failures that may pass by themselves: network errors, 5xx and 429. A refusal of the
 * credentials themselves (other 4xx) is not: retrying it would only add throttled failures.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof GatehouseApiError || err instanceof GatehouseOAuthError) {
    return err.status !== undefined && (err.status === 429 || err.status >= 500);
  }
  return !(err instanceof GatehouseClientError);
}
