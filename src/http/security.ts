/**
 * Response headers that hold on every surface: no framing, no referrer, no sniffing, a CSP
 * that forbids inline script, and HSTS when served over https.
 */
import type { MiddlewareHandler } from 'hono';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(secure: boolean): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', CSP);
    h.set('X-Frame-Options', 'DENY');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (secure) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}
