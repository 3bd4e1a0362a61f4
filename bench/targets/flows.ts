/**
 * autocannon request pipelines for the stateful scenarios. autocannon gives every connection
 * its own copy of the pipeline but shares these closures, so pools are shared by all
 * connections of one run (and built fresh for each run).
 */
import type autocannon from 'autocannon';

type Headers = Record<string, string>;

/** A header from autocannon's response headers, whatever its case. */
export function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? String(v[0]) : String(v);
  }
  return undefined;
}

/** GET `path` with a credential chosen at random from `credentials` on every request (cache misses). */
export function randomCredential(path: string, credentials: readonly string[]): () => autocannon.Request[] {
  return () => [
    {
      method: 'GET',
      path,
      setupRequest: (req) => ({ ...req, headers: { authorization: credentials[Math.floor(Math.random() * credentials.length)]! } }),
    },
  ];
}

/**
 * Refresh with rotation: each request spends a refresh token from the pool and the rotated one
 * goes back. A token is never sent twice (that would be reuse, which revokes the grant), so
 * every run takes a fresh batch from `nextBatch`, holding at least one token per connection.
 */
export function refreshChain(path: string, headers: Headers, nextBatch: () => string[], body: (refreshToken: string) => string): () => autocannon.Request[] {
  return () => {
    const pool = nextBatch();
    return [
      {
        method: 'POST',
        path,
        headers,
        setupRequest: (req) => ({ ...req, body: body(pool.pop() ?? 'pool-exhausted') }),
        onResponse: (status, responseBody) => {
          if (status !== 200) return;
          const next = (JSON.parse(responseBody) as { refresh_token?: unknown }).refresh_token;
          if (typeof next === 'string') pool.push(next);
        },
      },
    ];
  };
}

/**
 * One authorization-code flow per two requests, consent already remembered: GET the
 * authorization endpoint with a signed-in session (a 303 carrying the code), then exchange
 * the code at the token endpoint.
 */
export function codeFlow(o: {
  authorizePath: string;
  sessionCookie: string;
  tokenPath: string;
  tokenHeaders: Headers;
  codeFrom: (location: string | undefined) => string | undefined;
  tokenBody: (code: string) => string;
}): () => autocannon.Request[] {
  return () => [
    {
      method: 'GET',
      path: o.authorizePath,
      headers: { cookie: o.sessionCookie },
      onResponse: (_status, _body, context, headers) => {
        (context as { code?: string | undefined }).code = o.codeFrom(headerValue(headers, 'location'));
      },
    },
    {
      method: 'POST',
      path: o.tokenPath,
      headers: o.tokenHeaders,
      setupRequest: (req, context) => ({ ...req, body: o.tokenBody((context as { code?: string }).code ?? 'missing-code') }),
    },
  ];
}
