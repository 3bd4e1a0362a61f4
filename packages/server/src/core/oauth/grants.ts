/**
 * The token endpoint's grants (RFC 6749 §4.1.3, §4.4, §6; RFC 9700 §4.14), free of HTTP:
 * authorization_code (with PKCE), refresh_token (rotation, reuse detection, optional replay
 * grace) and client_credentials. Every failure is an RFC 6749 §5.2 error.
 */
import { hashSecret, isWellFormedSecret, issueSecret, publicId } from '../credentials.js';
import type { CoreContext } from '../context.js';
import { invalidRequest, oauthError } from '../errors.js';
import { issueAccessToken } from '../jwt.js';
import type { Keyset } from '../keyset.js';
import { missing, parseScopeString } from '../scopes.js';
import type { SecretBox } from '../secret-box.js';
import type { ClientRecord } from '../model/client.js';
import type { GrantRecord } from '../model/grant.js';
import type { NewTokens } from '../model/token.js';
import { CODE_PREFIX } from './authorize.js';
import { verifyPkce } from './pkce.js';

export interface GrantDeps {
  core: CoreContext;
  keyset: Keyset;
  box: SecretBox;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  refreshIdleSeconds: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

const invalidGrant = (detail: string) => oauthError('invalid_grant', detail);

/** Mints an access token (opaque or JWT per app) and optionally a refresh token for `grant`. */
async function mint(deps: GrantDeps, client: ClientRecord, grant: GrantRecord, scopes: string[], refreshScopes: string[] | null, refreshExpiresAt: number) {
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

export async function exchangeCode(
  deps: GrantDeps,
  client: ClientRecord,
  input: { code?: string | undefined; redirectUri?: string | undefined; codeVerifier?: string | undefined },
): Promise<TokenResponse> {
  const { core } = deps;
  if (!input.code) throw invalidRequest('Missing code');
  if (!isWellFormedSecret(input.code, CODE_PREFIX)) throw invalidGrant('Invalid authorization code');
  const hash = hashSecret(input.code);
  const now = core.clock.now();
  const result = await core.store.oauth.codes.consume(hash, now);
  if (result.status === 'unknown') throw invalidGrant('Invalid authorization code');
  if (result.status === 'reused') {
    // RFC 6749 §4.1.2 / RFC 9700 §4.2.4: a replayed code revokes what it issued.
    if (result.grantId && (await core.store.oauth.grants.revoke(result.grantId, now, null))) core.credentialChanged?.(result.grantId);
    throw invalidGrant('Authorization code was already used; the tokens it issued are revoked');
  }
  const code = result.code;
  if (code.clientId !== client.id) throw invalidGrant('Authorization code was issued to another client');
  if (code.expiresAt <= now) throw invalidGrant('Authorization code has expired');
  const redirectUri = input.redirectUri ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
  if (redirectUri !== code.redirectUri) throw invalidGrant('redirect_uri does not match the authorization request');
  if (code.codeChallenge !== null) {
    if (!input.codeVerifier) throw invalidGrant('Missing code_verifier');
    if (!verifyPkce(code.codeChallenge, input.codeVerifier)) throw invalidGrant('code_verifier does not match code_challenge');
  } else if (input.codeVerifier !== undefined) {
    throw invalidGrant('code_verifier sent, but the authorization request had no code_challenge');
  }
  const grant: GrantRecord = { id: publicId('grt_'), clientId: client.id, userId: code.userId, scopes: code.scopes, createdAt: now, revokedAt: null, lastUsedAt: null };
  const { response, tokens } = await mint(deps, client, grant, code.scopes, code.scopes, now + deps.refreshTtlSeconds * 1000);
  await core.store.oauth.grants.create(grant, tokens, hash);
  return response;
}

export async function refresh(deps: GrantDeps, client: ClientRecord, input: { refreshToken?: string | undefined; scope?: string | undefined }): Promise<TokenResponse> {
  const { core } = deps;
  if (!input.refreshToken) throw invalidRequest('Missing refresh_token');
  if (!isWellFormedSecret(input.refreshToken, core.prefixes.refreshToken)) throw invalidGrant('Invalid refresh token');
  const hash = hashSecret(input.refreshToken);
  const now = core.clock.now();
  const found = await core.store.oauth.tokens.findRefresh(hash);
  if (!found) throw invalidGrant('Invalid refresh token');
  const { token, grant } = found;
  if (grant.clientId !== client.id) throw invalidGrant('Refresh token was issued to another client');
  if (grant.revokedAt !== null) throw invalidGrant('Refresh token was revoked');
  if (token.expiresAt <= now || token.idleExpiresAt <= now) throw invalidGrant('Refresh token has expired');
  const scopes = input.scope === undefined ? token.scopes : parseScopeString(input.scope);
  if (scopes.length === 0) throw oauthError('invalid_scope', 'scope must not be empty');
  const wider = missing(token.scopes, scopes);
  if (wider.length > 0) throw oauthError('invalid_scope', `Refresh cannot widen scope: ${wider.join(' ')}`);

  const replay = async (rotated: typeof token): Promise<TokenResponse> => {
    const withinGrace = client.refreshGraceSeconds > 0 && rotated.rotatedAt !== null && now - rotated.rotatedAt <= client.refreshGraceSeconds * 1000;
    if (withinGrace && rotated.successorSealed) {
      // A client that lost the response (network) may retry once: same successor, fresh access token.
      const { response, tokens } = await mint(deps, client, grant, scopes, null, token.expiresAt);
      if (tokens.access) await core.store.oauth.tokens.addAccess(tokens.access);
      return { ...response, refresh_token: deps.box.open(rotated.successorSealed) };
    }
    if (await core.store.oauth.grants.revoke(grant.id, now, null)) core.credentialChanged?.(grant.id);
    throw invalidGrant('Refresh token was already used; the grant is revoked');
  };
  if (token.rotatedAt !== null) return replay(token);

  const { response, tokens } = await mint(deps, client, grant, scopes, token.scopes, token.expiresAt);
  const sealed = client.refreshGraceSeconds > 0 && response.refresh_token ? deps.box.seal(response.refresh_token) : null;
  const outcome = await core.store.oauth.tokens.rotateRefresh(hash, now, tokens, sealed);
  if (outcome.status === 'rotated') return response;
  if (outcome.status === 'reused') return replay(outcome.token);
  throw invalidGrant('Invalid refresh token');
}

export async function clientCredentials(deps: GrantDeps, client: ClientRecord, input: { scope?: string | undefined }): Promise<TokenResponse> {
  if (client.type !== 'confidential') throw oauthError('unauthorized_client', 'client_credentials is only for confidential applications');
  const scopes = input.scope === undefined ? client.scopes : parseScopeString(input.scope);
  if (scopes.length === 0) throw oauthError('invalid_scope', 'scope must not be empty');
  const unknown = scopes.filter((s) => !deps.core.scopes.has(s));
  if (unknown.length > 0) throw oauthError('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
  const notAllowed = missing(client.scopes, scopes);
  if (notAllowed.length > 0) throw oauthError('invalid_scope', `Scope not allowed for this application: ${notAllowed.join(' ')}`);
  const now = deps.core.clock.now();
  const grant: GrantRecord = { id: publicId('grt_'), clientId: client.id, userId: null, scopes, createdAt: now, revokedAt: null, lastUsedAt: null };
  const { response, tokens } = await mint(deps, client, grant, scopes, null, now);
  await deps.core.store.oauth.grants.create(grant, tokens, null);
  return response;
}
