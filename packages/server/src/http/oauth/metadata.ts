/**
 * GET /.well-known/oauth-authorization-server — authorization server metadata (RFC 8414 §3).
 * The document is built once: it changes only with the configuration. The grant types are the
 * token endpoint's registry, so a new grant is advertised as soon as it is registered.
 */
import { createRoute } from '@hono/zod-openapi';
import { grants } from '../../core/oauth/grants/index.js';
import { type AuthorizationServerMetadata as Metadata, AuthorizationServerMetadata } from '../../core/oauth/wire.js';
import type { Runtime } from '../../core/runtime.js';
import { oauthRouter } from './router.js';
import { jsonResponse } from '../api/openapi.js';

const route = createRoute({
  method: 'get',
  path: '/.well-known/oauth-authorization-server',
  tags: ['Discovery'],
  summary: 'Authorization server metadata (RFC 8414)',
  responses: { 200: jsonResponse(AuthorizationServerMetadata, 'The metadata (cacheable for 5 minutes)') },
});

export function metadataRoutes(rt: Runtime) {
  const { config } = rt;
  const metadata: Metadata = {
    issuer: config.issuer,
    authorization_endpoint: `${config.issuer}/oauth/authorize`,
    token_endpoint: `${config.issuer}/oauth/token`,
    revocation_endpoint: `${config.issuer}/oauth/revoke`,
    introspection_endpoint: `${config.issuer}/oauth/introspect`,
    jwks_uri: `${config.issuer}/.well-known/jwks.json`,
    scopes_supported: [...rt.scopes.keys()],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: grants.types,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
  return oauthRouter().openapi(route, (c) =>
    c.json(metadata, 200, { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' }),
  );
}
