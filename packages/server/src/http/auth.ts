/**
 * Authentication for /v1, through the same library resource servers use (`gatehouse/verify`):
 * a Bearer API key (`sk_…`), an OAuth access token (`at_…`), or a JWT (from `POST /v0/auth`, or
 * a JWT access token) is turned into a credential by the in-process verifier (local-verifier.ts),
 * and scopes are checked by the library's `requireScopes`. Its errors map to GatehouseErrors so
 * /v1 answers with the one error shape and the library's `WWW-Authenticate` formatting.
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
import { type VerifiedCredential, VerifyError, bearerToken, requireScopes as scopeCheck } from '@gatehouse/verify';
import { csrfValid, readSession } from './cookies.js';
import type { AppEnv, Principal, Services } from './env.js';
import { clientIp } from './ip.js';
import { localVerifier } from './local-verifier.js';
import { requestHeader } from './request-header.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A library refusal as the GatehouseError the /v1 error mapping renders; anything else as is. */
export function fromVerifyError(err: unknown): unknown {
  if (!(err instanceof VerifyError)) return err;
  return err.error === 'insufficient_scope' ? insufficientScope(err.scope) : unauthenticated(err.detail);
}

function principalOf(credential: VerifiedCredential): Principal {
  return { userId: credential.subject, scopes: credential.scopes, via: credential.kind, keyId: credential.clientId, user: null };
}

export function authenticate(services: Services): MiddlewareHandler<AppEnv> {
  const { config, core } = services;
  const verifier = localVerifier(services);
  return async (c, next) => {
    const header = requestHeader(c, 'authorization');
    if (header !== undefined) {
      let credential: VerifiedCredential;
      try {
        credential = await verifier.verify(bearerToken(header));
      } catch (err) {
        throw fromVerifyError(err);
      }
      c.set('principal', principalOf(credential));
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
  const check = scopeCheck(...scopes);
  // A synchronous check: no extra promise per request.
  return (c, next) => {
    try {
      check(c.get('principal'));
    } catch (err) {
      throw fromVerifyError(err);
    }
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
  const user = await services.core.store.accounts.getUser(p.userId);
  if (!user) throw unauthenticated();
  c.set('principal', { ...p, user });
  return user;
}

export async function actorOf(services: Services, c: Context<AppEnv>): Promise<Actor> {
  const p = c.get('principal');
  const user = await principalUser(services, c);
  return { type: p.via === 'session' ? 'user' : 'api_key', id: p.keyId ?? p.userId, user, ip: clientIp(c, services.config.trustProxy) };
}

