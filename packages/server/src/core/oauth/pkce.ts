/** PKCE (RFC 7636) with S256 only; `plain` is refused (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1). */
import { createHash } from 'node:crypto';
import { safeEqual } from '../credentials.js';

/** code_challenge and code_verifier are 43–128 unreserved characters (RFC 7636 §4.1, §4.2). */
export const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function verifyPkce(challenge: string, verifier: string): boolean {
  return PKCE_VALUE.test(verifier) && safeEqual(s256(verifier), challenge);
}
