/**
 * PKCE (RFC 7636) with S256 only — `plain` gives no protection when the authorization request
 * leaks (RFC 9700 §2.1.1). The verifier is 32 random bytes as base64url: 43 characters, the
 * minimum length of §4.1, with 256 bits of entropy.
 */
import { base64url, randomToken } from './encoding.js';

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

/** BASE64URL(SHA256(ASCII(code_verifier))) — RFC 7636 §4.2. */
export async function codeChallengeS256(codeVerifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier));
  return base64url(new Uint8Array(digest));
}

export async function createPkce(): Promise<PkcePair> {
  const codeVerifier = randomToken(32);
  return { codeVerifier, codeChallenge: await codeChallengeS256(codeVerifier), codeChallengeMethod: 'S256' };
}
