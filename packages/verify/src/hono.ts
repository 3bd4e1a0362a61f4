/**
 * Hono middleware. `authenticate` verifies the Bearer credential and exposes it as
 * `c.get('credential')`; `requireScopes('write')` also checks scopes (and authenticates first
 * when `authenticate` did not run). Refusals are 401/403 with `WWW-Authenticate` and the JSON
 * body, or 503 when the issuer cannot be reached.
 */
import type { MiddlewareHandler } from 'hono';
import { type AuthOptions, type Refusal, guard, scopeCheck, serializeRefusal } from './guard.js';
import type { ScopeCheck } from './scopes.js';
import type { VerifiedCredential, Verifier } from './verifier.js';

/** Declare your app as `new Hono<HonoAuthEnv>()` (or merge it into your own Env). */
export interface HonoAuthEnv {
  Variables: { credential: VerifiedCredential };
}

export interface HonoAuth {
  authenticate: MiddlewareHandler<HonoAuthEnv>;
  requireScopes(...scopes: string[]): MiddlewareHandler<HonoAuthEnv>;
}

function respond(refusal: Refusal): Response {
  const { headers, text } = serializeRefusal(refusal);
  return new Response(text, { status: refusal.status, headers });
}

export function honoAuth(verifier: Verifier, options: AuthOptions = {}): HonoAuth {
  const middleware =
    (check: ScopeCheck | undefined): MiddlewareHandler<HonoAuthEnv> =>
    async (c, next) => {
      const earlier = c.get('credential') as VerifiedCredential | undefined;
      const result = await guard(verifier, c.req.header('authorization'), check, options, earlier);
      if (result.refusal) return respond(result.refusal);
      c.set('credential', result.credential);
      await next();
      return undefined;
    };
  return {
    authenticate: middleware(undefined),
    requireScopes: (...scopes) => middleware(scopeCheck(scopes)),
  };
}
