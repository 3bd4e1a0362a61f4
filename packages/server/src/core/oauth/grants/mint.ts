/**
 * Issuing tokens for a grant, shared by every grant type: an access token (an opaque `at_…`
 * stored by hash, or a signed JWT per the application's settings, RFC 9068) and, when asked, a
 * rotating refresh token `rt_…` (RFC 6749 §6, RFC 9700 §4.14). Nothing is written here: the
 * caller stores the returned records together with its grant, in one operation.
 */
import { issueSecret } from '../../credentials.js';
import { issueAccessToken } from '../../jwt.js';
import type { ClientRecord, GrantRecord, NewTokens } from '../../../store/oauth-store.js';
import type { TokenResponse } from '../wire.js';
import type { GrantDeps } from './grant.js';

/**
 * Mints an access token for `scopes` and, when `refreshScopes` is given, a refresh token for
 * them that expires at `refreshExpiresAt` (and sooner when idle).
 */
export async function mint(
  deps: GrantDeps,
  client: ClientRecord,
  grant: GrantRecord,
  scopes: string[],
  refreshScopes: string[] | null,
  refreshExpiresAt: number,
): Promise<{ response: TokenResponse; tokens: NewTokens }> {
  const now = deps.core.clock.now();
  const tokens: NewTokens = { access: null, refresh: null };
  let accessToken: string;
  if (client.jwtAccessTokens) {
    accessToken = await issueAccessToken(deps.keyset, deps.core.clock, {
      issuer: deps.issuer,
      audience: deps.audience,
      subject: grant.userId ?? client.ownerId,
      clientId: client.id,
      scopes,
      ttlSeconds: deps.accessTtlSeconds,
    });
  } else {
    const at = issueSecret(deps.core.prefixes.accessToken);
    accessToken = at.secret;
    tokens.access = { hash: at.hash, grantId: grant.id, scopes, createdAt: now, expiresAt: now + deps.accessTtlSeconds * 1000 };
  }
  let refreshToken: string | undefined;
  if (refreshScopes) {
    const rt = issueSecret(deps.core.prefixes.refreshToken);
    refreshToken = rt.secret;
    tokens.refresh = {
      hash: rt.hash,
      grantId: grant.id,
      scopes: refreshScopes,
      createdAt: now,
      expiresAt: refreshExpiresAt,
      idleExpiresAt: Math.min(refreshExpiresAt, now + deps.refreshIdleSeconds * 1000),
      rotatedAt: null,
      successorSealed: null,
    };
  }
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: deps.accessTtlSeconds,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope: scopes.join(' '),
  };
  return { response, tokens };
}
