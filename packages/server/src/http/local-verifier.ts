/**
 * The gatehouse/verify `Verifier`, inside the server: the same credential contract resource
 * servers get from `createVerifier`, answered from this process's own state instead of HTTP —
 * `sk_…` by the key verifier, `at_…` by the access-token verifier (both cached, no write), and
 * JWTs offline against the signing keyset. Any other prefix is treated as a JWT, as before.
 * A credential that does not verify becomes the library's `invalid_token` error with the same
 * detail; internal failures propagate unchanged. Expiry times are whole seconds, as in
 * introspection answers and JWT `exp`, so both paths give equal credentials.
 */
import { GatehouseError } from '../core/errors.js';
import { verifyAccessToken } from '../core/jwt.js';
import { parseScopeString } from '../core/scopes.js';
import { type VerifiedCredential, type Verifier, invalidToken } from '@gatehouse/verify';
import type { Services } from './env.js';

export type LocalVerifierDeps = Pick<Services, 'config' | 'core' | 'keys' | 'keyset' | 'accessTokens' | 'jwtMemo'>;

const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

export function localVerifier(deps: LocalVerifierDeps): Verifier {
  const { config, core, keys, keyset, accessTokens, jwtMemo } = deps;

  const check = async (token: string): Promise<VerifiedCredential> => {
    if (token.startsWith(config.prefixes.apiKey)) {
      const key = await keys.verify(token);
      return { kind: 'api_key', subject: key.ownerId, scopes: [...key.scopes], clientId: key.id, ...(key.expiresAt !== null ? { expiresAt: wholeSeconds(key.expiresAt) } : {}) };
    }
    if (token.startsWith(config.prefixes.accessToken)) {
      const { token: t, grant, client } = await accessTokens.verify(token);
      // client_credentials grants have no user: the app acts for its owner.
      return { kind: 'oauth', subject: grant.userId ?? client.ownerId, scopes: [...t.scopes], clientId: client.id, expiresAt: wholeSeconds(t.expiresAt) };
    }
    const claims = await verifyAccessToken(keyset, core.clock, token, { issuer: config.issuer, audience: config.audience }, jwtMemo);
    return { kind: 'jwt', subject: claims.sub, scopes: parseScopeString(claims.scope), clientId: claims.client_id, expiresAt: claims.exp * 1000 };
  };

  return {
    async verify(token) {
      try {
        return await check(token);
      } catch (err) {
        if (err instanceof GatehouseError && err.code === 'unauthenticated') throw invalidToken(err.detail);
        throw err;
      }
    },
  };
}
