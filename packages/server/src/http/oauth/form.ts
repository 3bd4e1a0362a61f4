/**
 * Reading OAuth requests: an `application/x-www-form-urlencoded` body whose parameters may
 * each appear once (RFC 6749 §3.1, §3.2), and client authentication by HTTP Basic, whose parts
 * are form-url-encoded (RFC 6749 §2.3.1), or by the form's client_id/client_secret.
 */
import type { OpenAPIHono, RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { invalidRequest } from '../../core/errors.js';
import { type ClientCredentials, authenticateClient } from '../../core/oauth/client-auth.js';
import type { ClientRecord } from '../../core/model/client.js';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';
import { clientIp } from '../ip.js';
import { requestHeader } from '../request-header.js';
import { UNSTORABLE_TEXT, holdsUnstorableText } from '../storable-input.js';
import { formBody, formError, oauthRouter } from './router.js';

/**
 * Media type parameters are accepted as `;name=value` only, as the OpenAPI document's media
 * type admits them.
 */
const URLENCODED = /^application\/x-www-form-urlencoded(;\s*[A-Za-z0-9-]+=[^;]+)*$/i;

/**
 * The validated form of an OAuth endpoint: the Content-Type must be an urlencoded form, no
 * parameter may repeat, and the parameters must match `schema` (the one the route documents);
 * any failure is RFC 6749 §5.2 `invalid_request`. The body is the copy readBody already holds,
 * and the headers are read from Node's request: nothing here builds a web Request.
 */
export async function readForm<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.output<T>> {
  if (!URLENCODED.test(requestHeader(c, 'content-type') ?? '')) {
    throw invalidRequest('Content-Type must be application/x-www-form-urlencoded');
  }
  const fields: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(await c.req.text())) {
    if (name in fields) throw invalidRequest(`Parameter ${name} must appear only once`);
    fields[name] = value;
  }
  const result = schema.safeParse(fields);
  if (!result.success) throw formError(result.error);
  return result.data;
}

/**
 * A POST endpoint taking a form: `route` (with `schema` as its body) goes into the OpenAPI
 * document, and the handler receives the form `readForm` validated against that same schema.
 */
export function formEndpoint<T extends z.ZodType>(
  route: Omit<RouteConfig, 'request'> & { method: 'post' },
  schema: T,
  handle: (c: Context<AppEnv>, form: z.output<T>) => Promise<Response>,
): OpenAPIHono<AppEnv> {
  const app = oauthRouter();
  app.openAPIRegistry.registerPath({ ...route, request: { body: formBody(schema) } });
  app.post(route.path, async (c) => handle(c, await readForm(c, schema)));
  return app;
}

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
    // Percent-decoding happens here, after the edge's check (storable-input.ts) saw the header.
    if (holdsUnstorableText(basic.id) || holdsUnstorableText(basic.secret)) throw invalidRequest(UNSTORABLE_TEXT);
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
