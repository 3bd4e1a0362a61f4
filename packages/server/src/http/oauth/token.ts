/**
 * POST /oauth/token (RFC 6749 §3.2): validate the form → authenticate the client → the grant
 * registered for `grant_type` → its token response, never cached (§5.1). The form's schema is
 * built from the registry, so every grant's parameters are validated and documented here
 * without this file changing when a grant is added.
 */
import { z } from '@hono/zod-openapi';
import { grants } from '../../core/oauth/grants/index.js';
import { TokenResponse } from '../../core/oauth/wire.js';
import type { Runtime } from '../../core/runtime.js';
import { authenticate, formEndpoint } from './form.js';
import { CLIENT_AUTH, clientSecurity, NO_STORE, oauthErrors, required } from './router.js';
import { jsonResponse } from '../api/openapi.js';

/** Each grant's parameters, optional at this level: a grant reports the ones it misses itself. */
const grantParameters = Object.fromEntries(grants.parameters().map((p) => [p.name, z.string().optional().describe(p.description)]));

const TokenRequest = z.object({
  // Any value passes validation: the registry answers unsupported_grant_type for the others.
  grant_type: required().openapi({ enum: grants.types, description: 'Any other value is `unsupported_grant_type`' }),
  ...grantParameters,
  ...CLIENT_AUTH,
});

const route = {
  method: 'post' as const,
  path: '/oauth/token',
  tags: ['OAuth 2.0'],
  summary: 'Exchange a code, refresh a token, or get a client_credentials token (RFC 6749 §3.2)',
  security: clientSecurity,
  responses: { 200: jsonResponse(TokenResponse, 'Tokens (`Cache-Control: no-store`)'), ...oauthErrors(400, 401, 429) },
};

export function tokenRoutes(rt: Runtime) {
  return formEndpoint(route, TokenRequest, async (c, form) => {
    const client = await authenticate(rt, c, form);
    const response = await grants.get(form.grant_type).handle(rt, client, form);
    return c.json(response, 200, NO_STORE);
  });
}
