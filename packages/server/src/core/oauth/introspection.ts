/**
 * Token introspection (RFC 7662) and revocation (RFC 7009), free of HTTP. Introspection
 * answers for every credential kind Gatehouse issues — `at_…`, `rt_…`, JWTs and `sk_…` API
 * keys — so a resource server can check any of them with one call; anything else is
 * `{"active": false}`. Revocation only acts on tokens issued to the calling client.
 */
import { hashSecret, isWellFormedSecret } from '../credentials.js';
import type { CoreContext } from '../context.js';
import { verifyAccessToken } from '../jwt.js';
import type { KeyVerifier } from '../key-verifier.js';
import type { Keyset } from '../keyset.js';
import type { ClientRecord } from '../model/client.js';
import type { AccessTokenVerifier } from './access-token-verifier.js';

export interface IntrospectionDeps {
  core: CoreContext;
  keys: KeyVerifier;
  accessTokens: AccessTokenVerifier;
  keyset: Keyset;
  issuer: string;
  audience: string;
}

export type Introspection =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      token_type: 'Bearer' | 'refresh_token' | 'api_key';
      exp?: number;
      iat: number;
      iss: string;
      aud?: string;
    };

const INACTIVE = { active: false } as const;
const seconds = (ms: number) => Math.floor(ms / 1000);

export async function introspect(deps: IntrospectionDeps, token: string): Promise<Introspection> {
  const { core } = deps;
  const { prefixes } = core;
  const now = core.clock.now();
  try {
    if (token.startsWith(prefixes.apiKey)) {
      const key = await deps.keys.verify(token);
      return {
        active: true,
        scope: key.scopes.join(' '),
        client_id: key.id,
        sub: key.ownerId,
        token_type: 'api_key',
        ...(key.expiresAt !== null ? { exp: seconds(key.expiresAt) } : {}),
        iat: seconds(key.createdAt),
        iss: deps.issuer,
      };
    }
    if (token.startsWith(prefixes.accessToken)) {
      const m = await deps.accessTokens.find(token);
      if (!m) return INACTIVE;
      return {
        active: true,
        scope: m.token.scopes.join(' '),
        client_id: m.grant.clientId,
        sub: m.grant.userId ?? m.client.ownerId,
        token_type: 'Bearer',
        exp: seconds(m.token.expiresAt),
        iat: seconds(m.token.createdAt),
        iss: deps.issuer,
        aud: deps.audience,
      };
    }
    if (token.startsWith(prefixes.refreshToken)) {
      if (!isWellFormedSecret(token, prefixes.refreshToken)) return INACTIVE;
      const m = await core.store.oauth.tokens.findRefresh(hashSecret(token));
      if (!m || m.grant.revokedAt !== null || m.token.rotatedAt !== null) return INACTIVE;
      if (m.token.expiresAt <= now || m.token.idleExpiresAt <= now) return INACTIVE;
      const client = await core.store.oauth.clients.get(m.grant.clientId);
      if (!client) return INACTIVE;
      return {
        active: true,
        scope: m.token.scopes.join(' '),
        client_id: m.grant.clientId,
        sub: m.grant.userId ?? client.ownerId,
        token_type: 'refresh_token',
        exp: seconds(Math.min(m.token.expiresAt, m.token.idleExpiresAt)),
        iat: seconds(m.token.createdAt),
        iss: deps.issuer,
      };
    }
    const claims = await verifyAccessToken(deps.keyset, core.clock, token, { issuer: deps.issuer, audience: deps.audience });
    return { active: true, scope: claims.scope, client_id: claims.client_id, sub: claims.sub, token_type: 'Bearer', exp: claims.exp, iat: claims.iat, iss: claims.iss, aud: claims.aud };
  } catch (err) {
    if ((err as { code?: string }).code === 'unauthenticated') return INACTIVE;
    throw err;
  }
}

/** RFC 7009: always "done" for the caller; acts only when the token belongs to `client`. */
export async function revoke(core: CoreContext, client: ClientRecord, token: string): Promise<void> {
  const now = core.clock.now();
  const { prefixes } = core;
  if (isWellFormedSecret(token, prefixes.refreshToken)) {
    const m = await core.store.oauth.tokens.findRefresh(hashSecret(token));
    // Revoking a refresh token ends the whole grant, access tokens included (RFC 7009 §2.1).
    if (m && m.grant.clientId === client.id && (await core.store.oauth.grants.revoke(m.grant.id, now, null))) core.credentialChanged?.(m.grant.id);
    return;
  }
  if (isWellFormedSecret(token, prefixes.accessToken)) {
    const hash = hashSecret(token);
    const m = await core.store.oauth.tokens.findAccess(hash);
    if (m && m.grant.clientId === client.id && (await core.store.oauth.tokens.revokeAccess(hash, now))) core.credentialChanged?.(hash);
  }
}
