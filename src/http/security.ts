/**
 * Response headers that hold on every surface: no framing, no referrer, no sniffing, a CSP
 * that forbids inline script, and HSTS when served over https.
 */
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

export function securityHeaders(secure: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', csp(c.get('formTargets') ?? []));
    h.set('X-Frame-Options', 'DENY');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (secure) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}
