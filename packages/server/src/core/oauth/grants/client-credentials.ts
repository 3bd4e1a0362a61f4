/**
 * grant_type=client_credentials (RFC 6749 §4.4): a confidential application acting for itself
 * (its owner is the subject). Scope defaults to the application's scopes and may only narrow
 * them; no refresh token is issued (§4.4.3).
 */
import { publicId } from '../../credentials.js';
import { oauthError } from '../../errors.js';
import { missing, parseScopeString } from '../../scopes.js';
import type { GrantRecord } from '../../model/grant.js';
import { defineGrant } from './grant.js';
import { mint } from './mint.js';

export const clientCredentialsGrant = defineGrant({
  type: 'client_credentials',
  parameters: {
    scope: 'narrower scopes (never wider)',
  },
  async handle(rt, client, params) {
    if (client.type !== 'confidential') throw oauthError('unauthorized_client', 'client_credentials is only for confidential applications');
    const scopes = params.scope === undefined ? client.scopes : parseScopeString(params.scope);
    if (scopes.length === 0) throw oauthError('invalid_scope', 'scope must not be empty');
    const unknown = scopes.filter((s) => !rt.scopes.has(s));
    if (unknown.length > 0) throw oauthError('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
    const notAllowed = missing(client.scopes, scopes);
    if (notAllowed.length > 0) throw oauthError('invalid_scope', `Scope not allowed for this application: ${notAllowed.join(' ')}`);
    const now = rt.clock.now();
    const grant: GrantRecord = { id: publicId('grt_'), clientId: client.id, userId: null, scopes, createdAt: now, revokedAt: null, lastUsedAt: null };
    const { response, tokens } = await mint(rt, client, grant, scopes, null, now);
    await rt.store.oauth.grants.create(grant, tokens, null);
    return response;
  },
});
