/**
 * Authentication for /v1: a Bearer API key (`sk_…`), an OAuth access token (`at_…`), a Bearer
 * JWT from `POST /v0/auth` or a JWT access token (verified offline against the signing keyset),
 * or the console's session cookie.
 * Cookie-authenticated writes must carry `X-CSRF-Token` equal to the CSRF cookie, so a
 * cross-site page cannot act with the user's session. Scope checks answer 403 naming the
 * missing scopes.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { resolveSession } from '../core/accounts.js';
import type { Actor } from '../core/context.js';
import { forbidden, insufficientScope, unauthenticated } from '../core/errors.js';
import { verifyAccessToken } from '../core/jwt.js';
import { assertKnown, missing, parseScopeString } from '../core/scopes.js';
import type { UserRecord } from '../store/store.js';
import { csrfValid, readSession } from './cookies.js';
import type { AppEnv, Principal, Services } from './env.js';
import { clientIp } from './ip.js';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function bearerToken(header: string): string {
  const m = BEARER.exec(header.trim());
  if (!m) throw unauthenticated('Authorization header must be "Bearer <token>"');
  return m[1]!;
}

export function authenticate(services: Services): MiddlewareHandler<AppEnv> {
  const { config, core, keys, keyset } = services;
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const token = bearerToken(header);
      if (token.startsWith(config.prefixes.apiKey)) {
        const key = await keys.verify(token);
        c.set('principal', { userId: key.ownerId, scopes: key.scopes, via: 'api_key', keyId: key.id, user: null });
      } else if (token.startsWith(config.prefixes.accessToken)) {
        const { token: t, grant, client } = await services.accessTokens.verify(token);
        // client_credentials grants have no user: the app acts for its owner.
        c.set('principal', { userId: grant.userId ?? client.ownerId, scopes: t.scopes, via: 'oauth', keyId: client.id, user: null });
      } else {
        const claims = await verifyAccessToken(keyset, core.clock, token, { issuer: config.issuer, audience: config.audience });
        c.set('principal', { userId: claims.sub, scopes: parseScopeString(claims.scope), via: 'jwt', keyId: claims.client_id, user: null });
      }
      return next();
    }
    const session = readSession(c, config.secure);
    const user = session ? await resolveSession(core, session) : undefined;
    if (!user) throw unauthenticated('Missing credentials: send "Authorization: Bearer <API key>"');
    if (!SAFE_METHODS.has(c.req.method) && !csrfValid(c, config.secure, c.req.header('x-csrf-token'))) {
      throw forbidden('Missing or invalid X-CSRF-Token header for a cookie-authenticated request');
    }
    c.set('principal', { userId: user.id, scopes: [...core.scopes.keys()], via: 'session', keyId: null, user });
    return next();
  };
}

export function requireScopes(...scopes: string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const lacking = missing(c.get('principal').scopes, scopes);
    if (lacking.length > 0) throw insufficientScope(lacking);
    return next();
  };
}

/** Management routes: a console session acts for its own account; a key or token needs `admin`. */
export const requireSessionOrAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get('principal');
  if (p.via !== 'session' && !p.scopes.includes('admin')) throw insufficientScope(['admin']);
  return next();
};

/**
 * A credential can only hand out what it holds itself (a new key, an app acting for its owner):
 * scopes are never widened. Unknown scopes are a 400 first; a console session holds them all.
 */
export function assertCanGrant(services: Services, c: Context<AppEnv>, wanted: readonly string[]): void {
  assertKnown(services.core.scopes, wanted);
  const principal = c.get('principal');
  const refused = principal.via === 'session' ? [] : missing(principal.scopes, wanted);
  if (refused.length > 0) throw forbidden(`A credential cannot grant scopes it does not hold: ${refused.join(' ')}`, { refused_scopes: refused });
}

/** The principal's account, loaded once; a key whose owner was deleted is no longer valid. */
export async function principalUser(services: Services, c: Context<AppEnv>): Promise<UserRecord> {
  const p: Principal = c.get('principal');
  if (p.user) return p.user;
  const user = await services.core.store.getUser(p.userId);
  if (!user) throw unauthenticated();
  c.set('principal', { ...p, user });
  return user;
}

export async function actorOf(services: Services, c: Context<AppEnv>): Promise<Actor> {
  const p = c.get('principal');
  const user = await principalUser(services, c);
  return { type: p.via === 'session' ? 'user' : 'api_key', id: p.keyId ?? p.userId, user, ip: clientIp(c, services.config.trustProxy) };
}

