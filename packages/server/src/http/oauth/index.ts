/**
 * The OAuth 2.0 authorization server's endpoints (RFC 6749, 7009, 7662) and its discovery
 * documents (RFC 8414, RFC 7517), one file each, every one declared with its OpenAPI schema.
 */
import type { Runtime } from '../../core/runtime.js';
import { authorizeRoutes } from './authorize.js';
import { introspectRoutes } from './introspect.js';
import { jwksRoutes } from './jwks.js';
import { metadataRoutes } from './metadata.js';
import { revokeRoutes } from './revoke.js';
import { CLIENT_BASIC_SCHEME, oauthRouter } from './router.js';
import { tokenRoutes } from './token.js';

export function oauthRoutes(rt: Runtime) {
  const app = oauthRouter();
  app.openAPIRegistry.registerComponent('securitySchemes', 'clientBasic', CLIENT_BASIC_SCHEME);
  for (const routes of [authorizeRoutes, tokenRoutes, revokeRoutes, introspectRoutes, metadataRoutes, jwksRoutes]) {
    app.route('/', routes(rt));
  }
  return app;
}
