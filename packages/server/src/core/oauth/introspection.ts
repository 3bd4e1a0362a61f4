/**
 * Token introspection (RFC 7662) and revocation (RFC 7009), free of HTTP. Introspection
 * answers for every credential kind Gatehouse issues — `at_…`, `rt_…`, JWTs and `sk_…` API
 * keys — so a resource server can check any of them with one call; anything else is
 * `{"active": false}`. Revocation only acts on tokens issued to the calling client.
 * The answer is wire.ts's `Introspection`, the schema the route declares as its response.
 */
import { hashSecret, isWellFormedSecret } from '../credentials.js';
import type { Runtime } from '../runtime.js';
import { verifyAccessToken } from '../jwt.js';
import type { ClientRecord } from '../model/client.js';
import type { Introspection } from './wire.js';


const INACTIVE = { active: false } as const;
const seconds = (ms: number) => Math.floor(ms / 1000);

export async function introspect(rt: Runtime, token: string): Promise<Introspection> {
  const { prefixes } = rt.config;
  const now = rt.clock.now();
  try {
    if (token.startsWith(prefixes.apiKey)) {
      const key = await rt.apiKeys.verify(token);
      return {
        active: true,
        scope: key.scopes.join(' '),
        client_id: key.id,
        sub: key.ownerId,
        token_type: 'api_key',
        ...(key.expiresAt !== null ? { exp: seconds(key.expiresAt) } : {}),
        iat: seconds(key.createdAt),
        iss: rt.config.issuer,
      };
    }
    if (token.startsWith(prefixes.accessToken)) {
      const m = await rt.accessTokens.find(token);
      if (!m) return INACTIVE;
      return {
        active: true,
        scope: m.token.scopes.join(' '),
        client_id: m.grant.clientId,
        sub: m.grant.userId ?? m.client.ownerId,
        token_type: 'Bearer',
        exp: seconds(m.token.expiresAt),
        iat: seconds(m.token.createdAt),
        iss: rt.config.issuer,
        aud: rt.config.audience,
      };
    }
    if (token.startsWith(prefixes.refreshToken)) {
      if (!isWellFormedSecret(token, prefixes.refreshToken)) return INACTIVE;
      const m = await rt.store.oauth.tokens.findRefresh(hashSecret(token));
      if (!m || m.grant.revokedAt !== null || m.token.rotatedAt !== null) return INACTIVE;
      if (m.token.expiresAt <= now || m.token.idleExpiresAt <= now) return INACTIVE;
      const client = await rt.store.oauth.clients.get(m.grant.clientId);
      if (!client) return INACTIVE;
      return {
        active: true,
        scope: m.token.scopes.join(' '),
        client_id: m.grant.clientId,
        sub: m.grant.userId ?? client.ownerId,
        token_type: 'refresh_token',
        exp: seconds(Math.min(m.token.expiresAt, m.token.idleExpiresAt)),
        iat: seconds(m.token.createdAt),
        iss: rt.config.issuer,
      };
    }
    const claims = await verifyAccessToken(rt.keyset, rt.clock, token, { issuer: rt.config.issuer, audience: rt.config.audience });
    return { active: true, scope: claims.scope, client_id: claims.client_id, sub: claims.sub, token_type: 'Bearer', exp: claims.exp, iat: claims.iat, iss: claims.iss, aud: claims.aud };
  } catch (err) {
    if ((err as { code?: string }).code === 'unauthenticated') return INACTIVE;
    throw err;
  }
}

/** RFC 7009: always "done" for the caller; acts only when the token belongs to `client`. */
export async function revoke(rt: Runtime, client: ClientRecord, token: string): Promise<void> {
  const now = rt.clock.now();
  const { prefixes } = rt.config;
  if (isWellFormedSecret(token, prefixes.refreshToken)) {
    const m = await rt.store.oauth.tokens.findRefresh(hashSecret(token));
    // Revoking a refresh token ends the whole grant, access tokens included (RFC 7009 §2.1).
    if (m && m.grant.clientId === client.id && (await rt.store.oauth.grants.revoke(m.grant.id, now, null))) await rt.revocations.publish(m.grant.id);
    return;
  }
  if (isWellFormedSecret(token, prefixes.accessToken)) {
    const hash = hashSecret(token);
    const m = await rt.store.oauth.tokens.findAccess(hash);
    if (m && m.grant.clientId === client.id && (await rt.store.oauth.tokens.revokeAccess(hash, now))) await rt.revocations.publish(hash);
  }
}
