/**
 * The registered claims of a verified JWT (RFC 7519 §4.1), checked the way RFC 8725 §3.8–3.9
 * asks: `iss` equal to the expected issuer, `aud` the expected audience or an array holding it,
 * `exp` present and after now, `nbf` (when present) not after now, `iat` (when present) a number,
 * and every claim the caller names present. No clock tolerance: `now` is the verifier's clock,
 * in whole seconds, and a token is expired from its `exp` second on (RFC 7519 §4.1.4).
 */

export interface ClaimExpectations {
  issuer: string;
  audience: string;
  /** The current time in seconds since the epoch. */
  now: number;
  /** Claims that must be present, whatever their value (their types are the caller's to check). */
  required: readonly string[];
}

/** Milliseconds to the whole seconds of NumericDate (RFC 7519 §2). */
export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

/** True when the claims meet every expectation. */
export function claimsHold(claims: Record<string, unknown>, expect: ClaimExpectations): boolean {
  for (const name of expect.required) if (!Object.hasOwn(claims, name)) return false;
  const { iss, aud, exp, nbf, iat } = claims;
  if (iss !== expect.issuer) return false;
  if (typeof aud === 'string' ? aud !== expect.audience : !(Array.isArray(aud) && aud.includes(expect.audience))) return false;
  if (typeof exp !== 'number' || exp <= expect.now) return false;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > expect.now)) return false;
  return iat === undefined || typeof iat === 'number';
}
