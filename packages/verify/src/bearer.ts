/** Reading the credential from `Authorization: Bearer <token>` (RFC 6750 §2.1). */
import { invalidToken, missingCredentials } from './errors.js';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export const MALFORMED_AUTHORIZATION = 'Authorization header must be "Bearer <token>"';

/** The token of an `Authorization: Bearer` value, or undefined when it is not exactly one. */
export function parseBearer(header: string): string | undefined {
  return BEARER.exec(header.trim())?.[1];
}

/**
 * The token of an `Authorization` header value. No header at all is a 401 without an error
 * code (RFC 6750 §3.1); anything that is not exactly one Bearer token is `invalid_token`.
 */
export function bearerToken(header: string | readonly string[] | null | undefined): string {
  if (header === undefined || header === null) throw missingCredentials();
  if (typeof header !== 'string') throw invalidToken(MALFORMED_AUTHORIZATION);
  const token = parseBearer(header);
  if (!token) throw invalidToken(MALFORMED_AUTHORIZATION);
  return token;
}
