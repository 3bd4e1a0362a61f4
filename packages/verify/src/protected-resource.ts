/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): the JSON a resource server publishes at
 * `/.well-known/oauth-protected-resource`, so clients (MCP clients among them) can find the
 * authorization server from a 401 alone. Pass the document's URL to an adapter as
 * `resourceMetadata` and every challenge carries it (RFC 9728 §5.1).
 */

export interface ProtectedResourceInput {
  /** The resource identifier: an https URL without a fragment (your API's base URL). */
  resource: string;
  /** Issuer URLs of the authorization servers whose tokens this resource accepts. */
  authorizationServers: readonly string[];
  scopesSupported?: readonly string[];
  /** A human-readable name. */
  resourceName?: string;
  /** A page documenting the API for developers. */
  resourceDocumentation?: string;
}

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  bearer_methods_supported: string[];
  scopes_supported?: string[];
  resource_name?: string;
  resource_documentation?: string;
}

/** RFC 9728 §2: the metadata document. Bearer tokens are accepted in the header only (RFC 6750 §2.1). */
export function protectedResourceMetadata(input: ProtectedResourceInput): ProtectedResourceMetadata {
  const resource = new URL(input.resource);
  if (resource.hash !== '' || input.resource.includes('#')) throw new TypeError('resource must not have a fragment');
  if (input.authorizationServers.length === 0) throw new TypeError('authorizationServers must name at least one issuer');
  return {
    resource: input.resource,
    authorization_servers: [...input.authorizationServers],
    bearer_methods_supported: ['header'],
    ...(input.scopesSupported ? { scopes_supported: [...input.scopesSupported] } : {}),
    ...(input.resourceName ? { resource_name: input.resourceName } : {}),
    ...(input.resourceDocumentation ? { resource_documentation: input.resourceDocumentation } : {}),
  };
}

/**
 * RFC 9728 §3.1: where the document for `resource` lives — the well-known suffix goes between
 * the host and any path, so `https://api.example.com/v1` is described at
 * `https://api.example.com/.well-known/oauth-protected-resource/v1`.
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}${url.search}`;
}

/** The path to serve the document at, for `resource` (e.g. `/.well-known/oauth-protected-resource`). */
export function protectedResourceMetadataPath(resource: string): string {
  const url = new URL(protectedResourceMetadataUrl(resource));
  return url.pathname;
}
