/**
 * POST /oauth/introspect (RFC 7662): the state of any credential Gatehouse issues, for
 * confidential clients (resource servers) only (§4: the endpoint must not answer just anyone).
 */
import { z } from '@hono/zod-openapi';
import { oauthError } from '../../core/errors.js';
import { introspect } from '../../core/oauth/introspection.js';
import { Introspection } from '../../core/oauth/wire.js';
import type { Runtime } from '../../core/runtime.js';
import { authenticate, formEndpoint } from './form.js';
import { CLIENT_AUTH, clientSecurity, NO_STORE, nonEmpty, oauthErrors } from './router.js';
import { jsonResponse } from '../api/openapi.js';

const IntrospectRequest = z.object({ token: nonEmpty(), ...CLIENT_AUTH });

const route = {
  method: 'post' as const,
  path: '/oauth/introspect',
  tags: ['OAuth 2.0'],
  summary: 'Introspect any credential: `at_…`, `rt_…`, JWTs and `sk_…` keys (RFC 7662); confidential apps only',
  security: clientSecurity,
  responses: { 200: jsonResponse(Introspection, "The token's state"), ...oauthErrors(400, 401, 429) },
};

export function introspectRoutes(rt: Runtime) {
  return formEndpoint(route, IntrospectRequest, async (c, form) => {
    const client = await authenticate(rt, c, form);
    if (client.type !== 'confidential') throw oauthError('unauthorized_client', 'Introspection needs a confidential client');
    return c.json(await introspect(rt, form.token), 200, NO_STORE);
  });
}
