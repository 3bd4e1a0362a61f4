/**
 * Plain `node:http`: `await auth.authenticate(req, res, 'write')` returns the credential, or
 * null after answering 401/403 (with `WWW-Authenticate` and the JSON body) or 503 itself.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { type AuthOptions, type Refusal, guard, scopeCheck, serializeRefusal } from './guard.js';
import type { VerifiedCredential, Verifier } from './verifier.js';

/** The parts of `http.IncomingMessage` used. */
export interface NodeRequestLike {
  headers: IncomingHttpHeaders;
}

/** The parts of `http.ServerResponse` used (Express responses have them too). */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

export function sendRefusal(res: NodeResponseLike, refusal: Refusal): void {
  const { headers, text } = serializeRefusal(refusal);
  res.statusCode = refusal.status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(text);
}

export interface NodeAuth {
  authenticate(req: NodeRequestLike, res: NodeResponseLike, ...scopes: string[]): Promise<VerifiedCredential | null>;
}

export function nodeAuth(verifier: Verifier, options: AuthOptions = {}): NodeAuth {
  return {
    async authenticate(req, res, ...scopes) {
      const result = await guard(verifier, req.headers.authorization, scopeCheck(scopes), options);
      if (!result.refusal) return result.credential;
      sendRefusal(res, result.refusal);
      return null;
    },
  };
}
