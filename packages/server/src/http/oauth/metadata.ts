/**
 * GET /.well-known/oauth-authorization-server — RFC 8414 metadata. The grant types are the token
 * endpoint's registry, so a new grant is advertised as soon as it is registered.
 */
import { Hono } from 'hono';
import { grants } from '../../core/oauth/grants/index.js';
import type { AppEnv, Services } from '../env.js';

export function metadataRoutes(services: Services) {
  const { config, core } = services;
  const app = new Hono<AppEnv>();
  const metadata = {
    issuer: config.issuer,
    authorization_endpoint: `${config.issuer}/oauth/authorize`,
    token_endpoint: `${config.issuer}/oauth/token`,
    revocation_endpoint: `${config.issuer}/oauth/revoke`,
    introspection_endpoint: `${config.issuer}/oauth/introspect`,
    jwks_uri: `${config.issuer}/.well-known/jwks.json`,
    scopes_supported: [...core.scopes.keys()],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: grants.types,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
  app.get('/.well-known/oauth-authorization-server', (c) =>
    c.json(metadata, 200, { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' }),
  );
  return app;
}
