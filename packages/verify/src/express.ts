/**
 * Express middleware (4 and 5). `authenticate` verifies the Bearer credential and sets
 * `req.credential`; `requireScopes('write')` also checks scopes (authenticating first when
 * needed). Refusals are answered here; unexpected errors go to `next(err)`.
 * No runtime import of Express: the request and response are typed by what is used.
 */
import { type AuthOptions, guard, scopeCheck } from './guard.js';
import { type NodeResponseLike, sendRefusal } from './node.js';
import type { ScopeCheck } from './scopes.js';
import type { VerifiedCredential, Verifier } from './verifier.js';

declare global {
  // Express's own request type gains `credential` (augmentation of @types/express's namespace).
  namespace Express {
    interface Request {
      credential?: VerifiedCredential;
    }
  }
}

export interface ExpressRequestLike {
  headers: { authorization?: string | undefined };
  credential?: VerifiedCredential;
}

export type ExpressMiddleware = (req: ExpressRequestLike, res: NodeResponseLike, next: (err?: unknown) => void) => void;

export interface ExpressAuth {
  authenticate: ExpressMiddleware;
  requireScopes(...scopes: string[]): ExpressMiddleware;
}

export function expressAuth(verifier: Verifier, options: AuthOptions = {}): ExpressAuth {
  const middleware =
    (check: ScopeCheck | undefined): ExpressMiddleware =>
    (req, res, next) => {
      guard(verifier, req.headers.authorization, check, options, req.credential).then((result) => {
        if (result.refusal) return sendRefusal(res, result.refusal);
        req.credential = result.credential;
        next();
      }, next);
    };
  return {
    authenticate: middleware(undefined),
    requireScopes: (...scopes) => middleware(scopeCheck(scopes)),
  };
}
