/**
 * What every adapter does, free of any framework: read the `Authorization` header, verify the
 * credential, check the route's scopes, and on failure describe the answer — status, headers
 * (`WWW-Authenticate`) and the `{"detail", "status_code", "extra"}` body.
 */
import { bearerToken } from './bearer.js';
import { type ChallengeOptions, type ErrorBody, VerifierUnavailableError, VerifyError } from './errors.js';
import { type ScopeCheck, requireScopes } from './scopes.js';
import type { VerifiedCredential, Verifier } from './verifier.js';

export interface AuthOptions extends ChallengeOptions {
  /** Told when the issuer could not be reached (the client then gets a 503), e.g. to log it. */
  onUnavailable?: ((err: VerifierUnavailableError) => void) | undefined;
}

export interface Refusal {
  status: 401 | 403 | 503;
  headers: Record<string, string>;
  body: ErrorBody;
}

export type GuardResult = { credential: VerifiedCredential; refusal?: undefined } | { credential?: undefined; refusal: Refusal };

/** The answer for a failed check; errors that are neither the client's nor the issuer's are rethrown. */
export function refusalFor(err: unknown, options: AuthOptions): Refusal {
  if (err instanceof VerifyError) {
    return { status: err.status, headers: { 'WWW-Authenticate': err.wwwAuthenticate(options) }, body: err.body() };
  }
  if (err instanceof VerifierUnavailableError) {
    options.onUnavailable?.(err);
    return { status: 503, headers: {}, body: err.body() };
  }
  throw err;
}

export function scopeCheck(scopes: readonly string[]): ScopeCheck | undefined {
  return scopes.length > 0 ? requireScopes(...scopes) : undefined;
}

/**
 * Verifies the request's credential (unless one was verified earlier for this request) and
 * checks `scopes`. Never throws for a bad credential or an unreachable issuer.
 */
export async function guard(
  verifier: Verifier,
  authorization: string | readonly string[] | null | undefined,
  check: ScopeCheck | undefined,
  options: AuthOptions,
  earlier?: VerifiedCredential,
): Promise<GuardResult> {
  try {
    const credential = earlier ?? (await verifier.verify(bearerToken(authorization)));
    check?.(credential);
    return { credential };
  } catch (err) {
    return { refusal: refusalFor(err, options) };
  }
}

/** JSON text of a refusal's body, and its headers including `Content-Type`. */
export function serializeRefusal(refusal: Refusal): { headers: Record<string, string>; text: string } {
  return { headers: { ...refusal.headers, 'Content-Type': 'application/json' }, text: JSON.stringify(refusal.body) };
}
