/**
 * Reading OAuth requests: an `application/x-www-form-urlencoded` body whose parameters may
 * each appear once (RFC 6749 §3.1, §3.2), and client authentication by HTTP Basic, whose parts
 * are form-url-encoded (RFC 6749 §2.3.1), or by the form's client_id/client_secret.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { invalidRequest } from '../../core/errors.js';
import { type ClientCredentials, authenticateClient } from '../../core/oauth/client-auth.js';
import type { ClientRecord } from '../../core/model/client.js';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';
import { clientIp } from '../ip.js';
import { requestHeader } from '../request-header.js';

/**
 * Media type parameters are accepted as `;name=value` only: that is what the route's own
 * media-type check (zod-openapi) admits, and a request it refused would get a 415 instead of
 * the OAuth error.
 */
const URLENCODED = /^application\/x-www-form-urlencoded(;\s*[A-Za-z0-9-]+=[^;]+)*$/i;

/**
 * Route middleware of the form-encoded endpoints, run before the route's schema validation:
 * the Content-Type must be an urlencoded form and no parameter may repeat. The body readBody
 * already holds is parsed here, once, and handed to the route's validator as its cached form, which
 * it reads before parsing the body itself.
 */
export const urlencodedForm: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!URLENCODED.test(requestHeader(c, 'content-type') ?? '')) {
    throw invalidRequest('Content-Type must be application/x-www-form-urlencoded');
  }
  const params = new URLSearchParams(await c.req.text());
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) throw invalidRequest(`Parameter ${name} must appear only once`);
    seen.add(name);
  }
  // Hono's form validator reads a cached body view only through `forEach(value, key)`, which
  // URLSearchParams has too: caching it avoids building a FormData per request (undici's is slow).
  (c.req.bodyCache as Record<string, unknown>).formData = Promise.resolve(params);
  return next();
};

const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

/** The credentials a client presents: HTTP Basic, and/or client_id/client_secret in the form. */
export function clientCredentials(c: Context, form: { client_id?: string | undefined; client_secret?: string | undefined }): ClientCredentials {
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
  return { basic, clientId: form.client_id, clientSecret: form.client_secret };
}

/** The authenticated client of a token, revocation or introspection request (throttled per client and IP). */
export async function authenticate(
  rt: Runtime,
  c: Context<AppEnv>,
  form: { client_id?: string | undefined; client_secret?: string | undefined },
): Promise<ClientRecord> {
  const { config } = rt;
  return (await authenticateClient(rt, clientCredentials(c, form), clientIp(c, config.trustProxy))).client;
}
