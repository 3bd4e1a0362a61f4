/**
 * The console's two cookies. The session cookie carries a random token (stored hashed);
 * the CSRF cookie carries a random value every form and every cookie-authenticated API
 * write must echo (double submit). Under https both use the `__Host-` prefix and `Secure`.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomBase62, safeEqual } from '../core/credentials.js';

export interface CookieNames {
  session: string;
  csrf: string;
}

export function cookieNames(secure: boolean): CookieNames {
  return secure ? { session: '__Host-gh_session', csrf: '__Host-gh_csrf' } : { session: 'gh_session', csrf: 'gh_csrf' };
}

export function readSession(c: Context, secure: boolean): string | undefined {
  return getCookie(c, cookieNames(secure).session);
}

export function writeSession(c: Context, secure: boolean, token: string, maxAgeSeconds: number): void {
  setCookie(c, cookieNames(secure).session, token, { httpOnly: true, sameSite: 'Lax', secure, path: '/', maxAge: maxAgeSeconds });
}

export function clearSession(c: Context, secure: boolean): void {
  deleteCookie(c, cookieNames(secure).session, { path: '/', secure });
}

/** The CSRF value for this browser, set as a cookie when it has none yet. */
export function csrfToken(c: Context, secure: boolean): string {
  const existing = getCookie(c, cookieNames(secure).csrf);
  if (existing && /^[0-9A-Za-z]{32}$/.test(existing)) return existing;
  return rotateCsrf(c, secure);
}

/**
 * A new CSRF value, at every change of who is signed in: a value planted or seen before
 * sign-in (or by the previous user of the browser) stops working.
 */
export function rotateCsrf(c: Context, secure: boolean): string {
  const token = randomBase62(32);
  setCookie(c, cookieNames(secure).csrf, token, { httpOnly: true, sameSite: 'Lax', secure, path: '/' });
  return token;
}

export function csrfValid(c: Context, secure: boolean, submitted: unknown): boolean {
  const cookie = getCookie(c, cookieNames(secure).csrf);
  return typeof submitted === 'string' && cookie !== undefined && cookie.length > 0 && safeEqual(cookie, submitted);
}
