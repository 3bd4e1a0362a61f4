/**
 * Reading OAuth requests: an `application/x-www-form-urlencoded` body whose parameters may
 * each appear once (RFC 6749 §3.1, §3.2), and HTTP Basic client credentials whose parts are
 * form-url-encoded (RFC 6749 §2.3.1).
 */
import type { Context } from 'hono';
import { invalidRequest } from '../../core/errors.js';
import type { ClientCredentials } from '../../core/oauth/client-auth.js';
import { requestHeader } from '../request-header.js';

export async function readForm(c: Context): Promise<URLSearchParams> {
  const type = (requestHeader(c, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('Content-Type must be application/x-www-form-urlencoded');
  }
  const params = new URLSearchParams(await c.req.text());
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) throw invalidRequest(`Parameter ${name} must appear only once`);
    seen.add(name);
  }
  return params;
}

const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

export function clientCredentials(c: Context, form: URLSearchParams): ClientCredentials {
  const header = requestHeader(c, 'authorization');
  let basic: ClientCredentials['basic'];
  if (header !== undefined) {
    const m = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(header.trim());
    if (!m) throw invalidRequest('Authorization header must be HTTP Basic client credentials');
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidRequest('Malformed Basic credentials');
    try {
      basic = { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
    } catch {
      throw invalidRequest('Malformed Basic credentials');
    }
  }
  return { basic, clientId: form.get('client_id') ?? undefined, clientSecret: form.get('client_secret') ?? undefined };
}
