/**
 * Issuing tokens for a grant, shared by every grant type: an access token (an opaque `at_…`
 * stored by hash, or a signed JWT per the application's settings, RFC 9068) and, when asked, a
 * rotating refresh token `rt_…` (RFC 6749 §6, RFC 9700 §4.14). Nothing is written here: the
 * caller stores the returned records together with its grant, in one operation.
 */
import { issueSecret } from '../../credentials.js';
import { issueAccessToken } from '../../jwt.js';
import type { ClientRecord } from '../../model/client.js';
import type { GrantRecord } from '../../model/grant.js';
import type { NewTokens } from '../../model/token.js';
import type { TokenResponse } from '../wire.js';
import type { Runtime } from '../../runtime.js';

/**
 * Mints an access token for `scopes` and, when `refreshScopes` is given, a refresh token for
 * them that expires at `refreshExpiresAt` (and sooner when idle).
 */
export async function mint(
  rt: Runtime,
  client: ClientRecord,
  grant: GrantRecord,
  scopes: string[],
  refreshScopes: string[] | null,
  refreshExpiresAt: number,
): Promise<{ response: TokenResponse; tokens: NewTokens }> {
  const now = rt.clock.now();
  const tokens: NewTokens = { access: null, refresh: null };
  let accessToken: string;
  if (client.jwtAccessTokens) {
    accessToken = await issueAccessToken(rt.keyset, rt.clock, {
      issuer: rt.config.issuer,
      audience: rt.config.audience,
      subject: grant.userId ?? client.ownerId,
      clientId: client.id,
      scopes,
      ttlSeconds: rt.config.accessTokenTtlSeconds,
    });
  } else {
    const at = issueSecret(rt.config.prefixes.accessToken);
    accessToken = at.secret;
    tokens.access = { hash: at.hash, grantId: grant.id, scopes, createdAt: now, expiresAt: now + rt.config.accessTokenTtlSeconds * 1000 };
  }
  let refreshToken: string | undefined;
  if (refreshScopes) {
    const issued = issueSecret(rt.config.prefixes.refreshToken);
    refreshToken = issued.secret;
    tokens.refresh = {
      hash: issued.hash,
      grantId: grant.id,
      scopes: refreshScopes,
      createdAt: now,
      expiresAt: refreshExpiresAt,
      idleExpiresAt: Math.min(refreshExpiresAt, now + rt.config.refreshTokenIdleSeconds * 1000),
      rotatedAt: null,
      successorSealed: null,
    };
  }
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: rt.config.accessTokenTtlSeconds,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope: scopes.join(' '),
  };
  return { response, tokens };
}
