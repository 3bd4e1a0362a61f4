/**
 * Fastify `preHandler` hooks. `authenticate` verifies the Bearer credential and sets
 * `request.credential`; `requireScopes('write')` also checks scopes (authenticating first
 * when needed). No runtime import of Fastify: request and reply are typed by what is used.
 * For `request.credential` in your own types, augment Fastify's request:
 *
 *     declare module 'fastify' { interface FastifyRequest { credential?: VerifiedCredential } }
 */
import { type AuthOptions, guard, scopeCheck, serializeRefusal } from './guard.js';
import type { ScopeCheck } from './scopes.js';
import type { VerifiedCredential, Verifier } from './verifier.js';

export interface FastifyRequestLike {
  headers: { authorization?: string | undefined };
  credential?: VerifiedCredential | undefined;
}

export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

export type FastifyPreHandler = (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;

export interface FastifyAuth {
  authenticate: FastifyPreHandler;
  requireScopes(...scopes: string[]): FastifyPreHandler;
}

export function fastifyAuth(verifier: Verifier, options: AuthOptions = {}): FastifyAuth {
  const hook =
    (check: ScopeCheck | undefined): FastifyPreHandler =>
    async (request, reply) => {
      const result = await guard(verifier, request.headers.authorization, check, options, request.credential);
      if (result.refusal) {
        const { headers, text } = serializeRefusal(result.refusal);
        let r = reply.code(result.refusal.status);
        for (const [name, value] of Object.entries(headers)) r = r.header(name, value);
        // Returning the reply tells Fastify the hook answered.
        return r.send(text);
      }
      request.credential = result.credential;
      return undefined;
    };
  return {
    authenticate: hook(undefined),
    requireScopes: (...scopes) => hook(scopeCheck(scopes)),
  };
}
