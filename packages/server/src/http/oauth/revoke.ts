/**
 * POST /oauth/revoke (RFC 7009): the calling client revokes one of its own access or refresh
 * tokens. The answer is 200 whether or not the token was known (§2.2), so a caller learns
 * nothing about other clients' tokens.
 */
import { z } from '@hono/zod-openapi';
import { revoke } from '../../core/oauth/introspection.js';
import type { Runtime } from '../../core/runtime.js';
import { authenticate, formEndpoint } from './form.js';
import { CLIENT_AUTH, clientSecurity, NO_STORE, nonEmpty, oauthErrors } from './router.js';

const RevokeRequest = z.object({
  token: nonEmpty(),
  token_type_hint: z.string().optional().describe('Accepted and ignored (RFC 7009 §2.1)'),
  ...CLIENT_AUTH,
});

const route = {
  method: 'post' as const,
  path: '/oauth/revoke',
  tags: ['OAuth 2.0'],
  summary: 'Revoke an access or refresh token issued to the calling app (RFC 7009)',
  security: clientSecurity,
  responses: { 200: { description: 'Revoked, or the token was unknown (empty body)' }, ...oauthErrors(400, 401, 429) },
};

export function revokeRoutes(rt: Runtime) {
  return formEndpoint(route, RevokeRequest, async (c, form) => {
    const client = await authenticate(rt, c, form);
    await revoke(rt, client, form.token);
    return c.body(null, 200, NO_STORE);
  });
}
