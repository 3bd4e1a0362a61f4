/**
 * Signing-key lifecycle (RFC 8725 §3.1; key rotation without breaking verifiers):
 *  - a key is published in the JWKS from the moment it is created;
 *  - it signs from `activatesAt` (a rotation sets this after a delay, so every resource server
 *    has fetched the new key before the first token signed with it arrives);
 *  - once a newer key activates, the old one stops signing but stays published until every
 *    token it signed has expired (retirement + token lifetime + clock skew); then it leaves.
 * These rules are pure functions of the key records and the time.
 */
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import type { SecretBox } from './secret-box.js';
import type { SigningKeyRecord } from './model/signing-key.js';

export type SigningAlg = 'ES256' | 'EdDSA';
export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'EdDSA'];
/** Leeway for clocks of resource servers that run slightly behind. */
export const CLOCK_SKEW_MS = 60_000;

/** Order of succession: later activation wins; ties go to the later-created, then the greater kid. */
function succeeds(a: SigningKeyRecord, b: SigningKeyRecord): boolean {
  if (a.activatesAt !== b.activatesAt) return a.activatesAt > b.activatesAt;
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt;
  return a.kid > b.kid;
}

/** The key that signs at `now`: the most recently activated one. */
export function currentSigner(keys: readonly SigningKeyRecord[], now: number): SigningKeyRecord | undefined {
  let best: SigningKeyRecord | undefined;
  for (const k of keys) if (k.activatesAt <= now && (!best || succeeds(k, best))) best = k;
  return best;
}

/** When `key` stopped signing (a successor activated), or undefined while it signs or is upcoming. */
export function retiredAt(key: SigningKeyRecord, keys: readonly SigningKeyRecord[], now: number): number | undefined {
  let at: number | undefined;
  for (const k of keys) {
    if (k.activatesAt <= now && succeeds(k, key)) at = Math.min(at ?? k.activatesAt, k.activatesAt);
  }
  return at;
}

/** Keys a verifier must know at `now`: upcoming, current, and retired ones whose tokens may still be alive. */
export function publishedKeys(keys: readonly SigningKeyRecord[], now: number, maxTokenTtlMs: number): SigningKeyRecord[] {
  return keys.filter((k) => {
    const retired = retiredAt(k, keys, now);
    return retired === undefined || now < retired + maxTokenTtlMs + CLOCK_SKEW_MS;
  });
}

export async function generateSigningKey(alg: SigningAlg, box: SecretBox, createdAt: number, activatesAt: number): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return {
    kid,
    alg,
    publicJwk: JSON.stringify({ ...jwk, kid, alg, use: 'sig' }),
    privateSealed: box.seal(await exportPKCS8(privateKey)),
    createdAt,
    activatesAt,
  };
}
