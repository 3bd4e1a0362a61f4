/**
 * Authentication for /v1: a Bearer API key (`sk_…`), an OAuth access token (`at_…`), or a JWT
 * (from `POST /v0/auth`, or a JWT access token) becomes the same credential resource servers get
 * from `@gatehouse/verify`, through the in-process `verifyCredential` (no HTTP, no database
 * write). Failures are GatehouseErrors, rendered once by http/errors.ts (with the library's
 * `WWW-Authenticate` formatter).
 * Without an Authorization header, the console's session cookie is accepted; cookie-
 * authenticated writes must carry `X-CSRF-Token` equal to the CSRF cookie, so a cross-site page
 * cannot act with the user's session.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { resolveSession } from '../core/accounts.js';
import type { Actor } from '../core/context.js';
import { forbidden, insufficientScope, unauthenticated } from '../core/errors.js';
import { assertKnown, missing } from '../core/scopes.js';
import type { UserRecord } from '../core/model/user.js';
import { MALFORMED_AUTHORIZATION, type VerifiedCredential, parseBearer } from '@gatehouse/verify';
import { verifyCredential } from '../core/credential-verifier.js';
import { csrfValid, readSession } from './cookies.js';
import type { AppEnv, Principal } from './env.js';
import type { Runtime } from '../core/runtime.js';
import { clientIp } from './ip.js';
import { requestHeader } from './request-header.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function principalOf(credential: VerifiedCredential): Principal {
  return { userId: credential.subject, scopes: credential.scopes, via: credential.kind, keyId: credential.clientId, user: null };
}

export function authenticate(rt: Runtime): MiddlewareHandler<AppEnv> {
  const { config } = rt;
  return async (c, next) => {
    const header = requestHeader(c, 'authorization');
    if (header !== undefined) {
      const token = parseBearer(header);
      if (token === undefined) throw unauthenticated(MALFORMED_AUTHORIZATION);
      c.set('principal', principalOf(await verifyCredential(rt, token)));
      return next();
    }
    const session = readSession(c, config.secure);
    const user = session ? await resolveSession(rt, session) : undefined;
    if (!user) throw unauthenticated('Missing credentials: send "Authorization: Bearer <API key>"');
    if (!SAFE_METHODS.has(c.req.method) && !csrfValid(c, config.secure, c.req.header('x-csrf-token'))) {
      throw forbidden('Missing or invalid X-CSRF-Token header for a cookie-authenticated request');
    }
    c.set('principal', { userId: user.id, scopes: [...rt.scopes.keys()], via: 'session', keyId: null, user });
    return next();
  };
}

export function requireScopes(...scopes: string[]): MiddlewareHandler<AppEnv> {
  const wanted = [...new Set(scopes)];
  // A synchronous check: no extra promise per request.
  return (c, next) => {
    const lacking = missing(c.get('principal').scopes, wanted);
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
export function assertCanGrant(rt: Runtime, c: Context<AppEnv>, wanted: readonly string[]): void {
  assertKnown(rt.scopes, wanted);
  const principal = c.get('principal');
  const refused = principal.via === 'session' ? [] : missing(principal.scopes, wanted);
  if (refused.length > 0) throw forbidden(`A credential cannot grant scopes it does not hold: ${refused.join(' ')}`, { refused_scopes: refused });
}

/** The principal's account, loaded once; a key whose owner was deleted is no longer valid. */
export async function principalUser(rt: Runtime, c: Context<AppEnv>): Promise<UserRecord> {
  const p: Principal = c.get('principal');
  if (p.user) return p.user;
  const user = await rt.store.accounts.getUser(p.userId);
  if (!user) throw unauthenticated();
  c.set('principal', { ...p, user });
  return user;
}

export async function actorOf(rt: Runtime, c: Context<AppEnv>): Promise<Actor> {
  const p = c.get('principal');
  const user = await principalUser(rt, c);
  return { type: p.via === 'session' ? 'user' : 'api_key', id: p.keyId ?? p.userId, user, ip: clientIp(c, rt.config.trustProxy) };
}

