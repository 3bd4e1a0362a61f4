/**
 * grant_type=authorization_code (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.6): the code is
 * consumed exactly once, must belong to the calling client, be unexpired, come with the
 * redirect URI of its authorization request and, when it was issued with a challenge, with the
 * matching verifier. A replayed code revokes what it issued (RFC 9700 §4.2.4).
 */
import { hashSecret, isWellFormedSecret, publicId } from '../../credentials.js';
import { invalidRequest } from '../../errors.js';
import type { GrantRecord } from '../../model/grant.js';
import { CODE_PREFIX } from '../authorize.js';
import { verifyPkce } from '../pkce.js';
import { defineGrant, invalidGrant } from './grant.js';
import { mint } from './mint.js';

export const authorizationCodeGrant = defineGrant({
  type: 'authorization_code',
  parameters: {
    code: 'the code from the redirect',
    redirect_uri: 'the redirect URI of the authorization request',
    code_verifier: 'the PKCE verifier',
  },
  async handle(rt, client, params) {
        if (!params.code) throw invalidRequest('Missing code');
    if (!isWellFormedSecret(params.code, CODE_PREFIX)) throw invalidGrant('Invalid authorization code');
    const hash = hashSecret(params.code);
    const now = rt.clock.now();
    const result = await rt.store.oauth.codes.consume(hash, now);
    if (result.status === 'unknown') throw invalidGrant('Invalid authorization code');
    if (result.status === 'reused') {
      // RFC 6749 §4.1.2 / RFC 9700 §4.2.4: a replayed code revokes what it issued.
      if (result.grantId && (await rt.store.oauth.grants.revoke(result.grantId, now, null))) await rt.revocations.publish(result.grantId);
      throw invalidGrant('Authorization code was already used; the tokens it issued are revoked');
    }
    const code = result.code;
    if (code.clientId !== client.id) throw invalidGrant('Authorization code was issued to another client');
    if (code.expiresAt <= now) throw invalidGrant('Authorization code has expired');
    const redirectUri = params.redirect_uri ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
    if (redirectUri !== code.redirectUri) throw invalidGrant('redirect_uri does not match the authorization request');
    if (code.codeChallenge !== null) {
      if (!params.code_verifier) throw invalidGrant('Missing code_verifier');
      if (!verifyPkce(code.codeChallenge, params.code_verifier)) throw invalidGrant('code_verifier does not match code_challenge');
    } else if (params.code_verifier !== undefined) {
      throw invalidGrant('code_verifier sent, but the authorization request had no code_challenge');
    }
    const grant: GrantRecord = { id: publicId('grt_'), clientId: client.id, userId: code.userId, scopes: code.scopes, createdAt: now, revokedAt: null, lastUsedAt: null };
    const { response, tokens } = await mint(rt, client, grant, code.scopes, code.scopes, now + rt.config.refreshTokenTtlSeconds * 1000);
    await rt.store.oauth.grants.create(grant, tokens, hash);
    return response;
  },
});
