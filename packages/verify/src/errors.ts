/**
 * Why a request was refused, and how to say it over HTTP.
 *
 *  - `VerifyError` is the client's fault: 401 `invalid_token` (or no credentials at all) and
 *    403 `insufficient_scope` (RFC 6750 §3.1). It renders as the RFC 6750 §3 `WWW-Authenticate`
 *    challenge and as the JSON body Gatehouse itself uses, `{"detail", "status_code", "extra"}`.
 *  - `VerifierUnavailableError` is not: the authorization server could not be reached or
 *    answered something unusable (metadata, JWKS, introspection). Adapters answer 503.
 */

export type VerifyErrorCode = 'invalid_token' | 'insufficient_scope';

/** What a `WWW-Authenticate: Bearer …` challenge carries (RFC 6750 §3, RFC 9728 §5.1). */
export interface Challenge {
  realm: string;
  /** Omitted when the request carried no credentials at all (RFC 6750 §3.1). */
  error?: VerifyErrorCode | undefined;
  errorDescription?: string | undefined;
  /** Space-separated scopes needed (for `insufficient_scope`). */
  scope?: string | undefined;
  /** URL of the RFC 9728 protected-resource metadata. */
  resourceMetadata?: string | undefined;
}

/** Options every adapter takes to shape its challenges. */
export interface ChallengeOptions {
  /** `realm` of the challenge; default "api". */
  realm?: string | undefined;
  /** RFC 9728 §5.1: the URL of this resource's `/.well-known/oauth-protected-resource` document. */
  resourceMetadata?: string | undefined;
}

export const DEFAULT_REALM = 'api';

/**
 * RFC 6750 §3: quoted values may only hold %x20-21 / %x23-5B / %x5D-7E, so a double quote
 * becomes a single one and anything else outside the range is dropped (no header injection).
 */
function quoted(value: string): string {
  return `"${value.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '')}"`;
}

/** `Bearer realm="…", error="…", error_description="…", scope="…", resource_metadata="…"`. */
export function formatWwwAuthenticate(challenge: Challenge): string {
  const params = [`realm=${quoted(challenge.realm)}`];
  if (challenge.error) {
    params.push(`error=${quoted(challenge.error)}`);
    if (challenge.errorDescription) params.push(`error_description=${quoted(challenge.errorDescription)}`);
    if (challenge.scope !== undefined) params.push(`scope=${quoted(challenge.scope)}`);
  }
  if (challenge.resourceMetadata) params.push(`resource_metadata=${quoted(challenge.resourceMetadata)}`);
  return `Bearer ${params.join(', ')}`;
}

/** The JSON error body Gatehouse answers on /v0 and /v1, and adapters answer too. */
export interface ErrorBody {
  detail: string;
  status_code: number;
  extra: Record<string, unknown>;
}

export class VerifyError extends Error {
  readonly status: 401 | 403;
  readonly error: VerifyErrorCode;
  readonly detail: string;
  /** The scopes that were missing (403 only). */
  readonly scope: readonly string[];
  /** False when the request had no credentials: the challenge then carries no error code. */
  readonly credentialsSent: boolean;

  constructor(error: VerifyErrorCode, detail: string, options: { scope?: readonly string[]; credentialsSent?: boolean } = {}) {
    super(detail);
    this.name = 'VerifyError';
    this.error = error;
    this.status = error === 'insufficient_scope' ? 403 : 401;
    this.detail = detail;
    this.scope = [...(options.scope ?? [])];
    this.credentialsSent = options.credentialsSent ?? true;
  }

  /** The `WWW-Authenticate` header value for this error. */
  wwwAuthenticate(options: ChallengeOptions = {}): string {
    const realm = options.realm ?? DEFAULT_REALM;
    const base = { realm, resourceMetadata: options.resourceMetadata };
    if (this.error === 'insufficient_scope') return formatWwwAuthenticate({ ...base, error: this.error, scope: this.scope.join(' ') });
    if (!this.credentialsSent) return formatWwwAuthenticate(base);
    return formatWwwAuthenticate({ ...base, error: this.error, errorDescription: this.detail });
  }

  /** `{"detail", "status_code", "extra"}`; a 403 names the missing scopes in `extra.required_scopes`. */
  body(): ErrorBody {
    const extra = this.error === 'insufficient_scope' ? { required_scopes: [...this.scope] } : {};
    return { detail: this.detail, status_code: this.status, extra };
  }
}

export const INVALID_TOKEN = 'Invalid, expired or revoked token';
export const MISSING_CREDENTIALS = 'Missing credentials: send "Authorization: Bearer <token>"';

export const invalidToken = (detail: string = INVALID_TOKEN) => new VerifyError('invalid_token', detail);
export const missingCredentials = (detail: string = MISSING_CREDENTIALS) => new VerifyError('invalid_token', detail, { credentialsSent: false });
export const insufficientScope = (missing: readonly string[]) =>
  new VerifyError('insufficient_scope', `Missing required scope: ${missing.join(' ')}`, { scope: missing });

/** The authorization server could not vouch for the credential right now (network, 5xx, bad metadata). */
export class VerifierUnavailableError extends Error {
  readonly status = 503;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerifierUnavailableError';
  }

  body(): ErrorBody {
    return { detail: 'Cannot verify credentials right now; try again later', status_code: 503, extra: {} };
  }
}
