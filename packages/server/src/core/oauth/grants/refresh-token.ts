/**
 * grant_type=refresh_token (RFC 6749 §6): the refresh token must belong to the calling client
 * and be live; it is rotated on every use, and a reused one revokes the whole grant (RFC 9700
 * §4.14.2) — unless the application allows a short replay grace, in which case a client that
 * lost the response gets the same successor again. Scope may narrow, never widen.
 */
import { hashSecret, isWellFormedSecret } from '../../credentials.js';
import { invalidRequest, oauthError } from '../../errors.js';
import { missing, parseScopeString } from '../../scopes.js';
import type { RefreshTokenRecord } from '../../model/token.js';
import type { TokenResponse } from '../wire.js';
import { defineGrant, invalidGrant } from './grant.js';
import { mint } from './mint.js';

export const refreshTokenGrant = defineGrant({
  type: 'refresh_token',
  parameters: {
    refresh_token: 'the current `rt_…`',
    scope: 'narrower scopes (never wider)',
  },
  async handle(rt, client, params) {
        if (!params.refresh_token) throw invalidRequest('Missing refresh_token');
    if (!isWellFormedSecret(params.refresh_token, rt.config.prefixes.refreshToken)) throw invalidGrant('Invalid refresh token');
    const hash = hashSecret(params.refresh_token);
    const now = rt.clock.now();
    const found = await rt.store.oauth.tokens.findRefresh(hash);
    if (!found) throw invalidGrant('Invalid refresh token');
    const { token, grant } = found;
    if (grant.clientId !== client.id) throw invalidGrant('Refresh token was issued to another client');
    if (grant.revokedAt !== null) throw invalidGrant('Refresh token was revoked');
    if (token.expiresAt <= now || token.idleExpiresAt <= now) throw invalidGrant('Refresh token has expired');
    const scopes = params.scope === undefined ? token.scopes : parseScopeString(params.scope);
    if (scopes.length === 0) throw oauthError('invalid_scope', 'scope must not be empty');
    const wider = missing(token.scopes, scopes);
    if (wider.length > 0) throw oauthError('invalid_scope', `Refresh cannot widen scope: ${wider.join(' ')}`);

    const replay = async (rotated: RefreshTokenRecord): Promise<TokenResponse> => {
      const withinGrace = client.refreshGraceSeconds > 0 && rotated.rotatedAt !== null && now - rotated.rotatedAt <= client.refreshGraceSeconds * 1000;
      if (withinGrace && rotated.successorSealed) {
        // A client that lost the response (network) may retry once: same successor, fresh access token.
        const { response, tokens } = await mint(rt, client, grant, scopes, null, token.expiresAt);
        if (tokens.access) await rt.store.oauth.tokens.addAccess(tokens.access);
        return { ...response, refresh_token: rt.box.open(rotated.successorSealed) };
      }
      if (await rt.store.oauth.grants.revoke(grant.id, now, null)) await rt.revocations.publish(grant.id);
      throw invalidGrant('Refresh token was already used; the grant is revoked');
    };
    if (token.rotatedAt !== null) return replay(token);

    const { response, tokens } = await mint(rt, client, grant, scopes, token.scopes, token.expiresAt);
    const sealed = client.refreshGraceSeconds > 0 && response.refresh_token ? rt.box.seal(response.refresh_token) : null;
    const outcome = await rt.store.oauth.tokens.rotateRefresh(hash, now, tokens, sealed);
    if (outcome.status === 'rotated') return response;
    if (outcome.status === 'reused') return replay(outcome.token);
    throw invalidGrant('Invalid refresh token');
  },
});
