/**
 * The in-process verification of a bearer credential, with the same result as the
 * `@gatehouse/verify` library's `Verifier` (`VerifiedCredential`), answered from this process's
 * own state instead of HTTP: `sk_…` by the key verifier, `at_…` by the access-token verifier
 * (both cached, no write), and anything else as a JWT, offline against the signing keyset.
 * Failures are GatehouseErrors (401 `unauthenticated` with the precise detail). Expiry times
 * are whole seconds, as in introspection answers and JWT `exp`, so both paths give equal
 * credentials. Each outcome is counted in metrics by kind (valid, or refused as invalid).
 */
import type { VerifiedCredential } from '@gatehouse/verify';
import { GatehouseError } from './errors.js';
import { verifyAccessToken } from './jwt.js';
import type { CredentialKind } from './metrics.js';
import type { Runtime } from './runtime.js';
import { parseScopeString } from './scopes.js';

const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

export async function verifyCredential(rt: Runtime, token: string): Promise<VerifiedCredential> {
  const kind = kindOf(rt, token);
  try {
    const credential = await verify(rt, kind, token);
    rt.metrics.verification(kind, true);
    return credential;
  } catch (err) {
    // Only refusals count as invalid; an internal failure is neither (it shows as a 500).
    if (err instanceof GatehouseError && err.code === 'unauthenticated') rt.metrics.verification(kind, false);
    throw err;
  }
}

/** By prefix; anything that is neither an API key nor an opaque access token is tried as a JWT. */
function kindOf(rt: Runtime, token: string): CredentialKind {
  const { prefixes } = rt.config;
  if (token.startsWith(prefixes.apiKey)) return 'api_key';
  if (token.startsWith(prefixes.accessToken)) return 'access_token';
  return 'jwt';
}

async function verify(rt: Runtime, kind: CredentialKind, token: string): Promise<VerifiedCredential> {
  if (kind === 'api_key') {
    const key = await rt.apiKeys.verify(token);
    return { kind: 'api_key', subject: key.ownerId, scopes: [...key.scopes], clientId: key.id, ...(key.expiresAt !== null ? { expiresAt: wholeSeconds(key.expiresAt) } : {}) };
  }
  if (kind === 'access_token') {
    const { token: t, grant, client } = await rt.accessTokens.verify(token);
    // client_credentials grants have no user: the app acts for its owner.
    return { kind: 'oauth', subject: grant.userId ?? client.ownerId, scopes: [...t.scopes], clientId: client.id, expiresAt: wholeSeconds(t.expiresAt) };
  }
  const { issuer, audience } = rt.config;
  const claims = await verifyAccessToken(rt.keyset, rt.clock, token, { issuer, audience }, rt.jwtMemo);
  return { kind: 'jwt', subject: claims.sub, scopes: parseScopeString(claims.scope), clientId: claims.client_id, expiresAt: claims.exp * 1000 };
}
