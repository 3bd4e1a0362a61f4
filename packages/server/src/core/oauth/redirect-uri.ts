/**
 * Redirect URIs: what may be registered, and exact matching (RFC 9700 §4.1.3; OAuth 2.1 §2.3.1)
 * with the one allowed exception: a loopback URI may use any port (RFC 8252 §7.3), because native
 * apps bind an ephemeral port.
 */
import { invalidRequest } from '../errors.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_LENGTH = 2000;

function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** Throws 400 unless `uri` may be registered: absolute, no fragment, https, loopback http, or a private-use scheme. */
export function checkRedirectUriForRegistration(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalidRequest(`Redirect URI is not an absolute URL: ${uri.slice(0, 200)}`);
  }
  if (uri.length > MAX_LENGTH) throw invalidRequest('Redirect URI is too long');
  if (url.hash !== '' || uri.includes('#')) throw invalidRequest('Redirect URI must not contain a fragment (RFC 6749 §3.1.2)');
  if (url.username || url.password) throw invalidRequest('Redirect URI must not contain credentials');
  if (url.protocol === 'https:' || isLoopback(url)) return uri;
  if (url.protocol === 'http:') throw invalidRequest('Redirect URI must use https (plain http only for loopback addresses)');
  // Private-use URI schemes for native apps (RFC 8252 §7.1), e.g. com.example.app:/callback.
  if (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/i.test(url.protocol) && !/^(javascript|data|file|vbscript):$/i.test(url.protocol)) return uri;
  throw invalidRequest('Redirect URI must use https, http on a loopback address, or a reverse-domain private-use scheme');
}

const LOOPBACK_AUTHORITY = /^(http:\/\/(?:127\.0\.0\.1|\[::1\]|localhost))(?::\d{1,5})?(?=[/?]|$)/;

/**
 * Exact string match against the registered URIs (no normalization of case, slashes or query);
 * for a loopback URI only the port may differ.
 */
export function matchRedirectUri(registered: readonly string[], candidate: string): boolean {
  if (registered.includes(candidate)) return true;
  if (!LOOPBACK_AUTHORITY.test(candidate) || !URL.canParse(candidate)) return false;
  const portless = candidate.replace(LOOPBACK_AUTHORITY, '$1');
  return registered.some((r) => LOOPBACK_AUTHORITY.test(r) && r.replace(LOOPBACK_AUTHORITY, '$1') === portless);
}

/** The CSP source expression matching `uri` (its origin, or its scheme for private-use schemes). */
export function cspSourceFor(uri: string): string {
  const url = new URL(uri);
  return url.origin !== 'null' ? url.origin : url.protocol;
}
