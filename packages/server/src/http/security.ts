/**
 * Response headers that hold on every surface: no framing, no referrer, no sniffing, a CSP
 * that forbids inline script, and HSTS when served over https.
 */
import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

const csp = (formTargets: readonly string[]) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    // CSP3 applies form-action to every redirect after a form post: a page whose form leads
    // back to an OAuth app names that app's (validated) redirect origin.
    ["form-action 'self'", ...formTargets].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

const BASE_CSP = csp([]);

export function securityHeaders(secure: boolean): MiddlewareHandler<AppEnv> {
  const fixed: Array<[string, string]> = [
    ['Content-Security-Policy', BASE_CSP],
    ['X-Frame-Options', 'DENY'],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ...(secure ? [['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'] as [string, string]] : []),
  ];
  return async (c, next) => {
    // Behind Node, the headers go on Node's response before anything else runs: every answer
    // carries them, and a plain JSON response stays on @hono/node-server's fast path (adding
    // them to a finished web Response afterwards made it build a Headers object per request).
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing) for (const [name, value] of fixed) outgoing.setHeader(name, value);
    await next();
    const h = c.res.headers;
    if (!outgoing) for (const [name, value] of fixed) h.set(name, value);
    const targets = c.get('formTargets');
    if (targets?.length) h.set('Content-Security-Policy', csp(targets));
  };
}
