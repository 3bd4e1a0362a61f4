/**
 * RFC 8414 authorization server metadata: fetched once from
 * `/.well-known/oauth-authorization-server` (inserted before the issuer's path, §3.1) and
 * checked to name the issuer it was fetched for (§3.3), so a mix-up cannot point the app at
 * another server's endpoints.
 */
import { GatehouseClientError, isObject } from './errors.js';
import { fetchWithRetry } from './retry.js';
import type { Runtime } from './runtime.js';

export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  jwks_uri?: string;
  scopes_supported?: string[];
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  [field: string]: unknown;
}

/** The issuer without trailing slashes: how Gatehouse spells it in `iss` and in its metadata. */
export function normalizeIssuer(issuer: string | URL): string {
  return String(issuer).replace(/\/+$/, '');
}

export function metadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname;
  url.pathname = `/.well-known/oauth-authorization-server${path}`;
  return url.toString();
}

export async function discover(runtime: Runtime, issuer: string): Promise<AuthorizationServerMetadata> {
  const url = metadataUrl(issuer);
  const res = await fetchWithRetry(runtime, url, { headers: { Accept: 'application/json' } });
  if (!res.ok) {
    await res.body?.cancel();
    throw new GatehouseClientError('discovery_failed', `GET ${url} answered ${res.status}`);
  }
  const body = (await res.json()) as unknown;
  if (!isObject(body) || typeof body.authorization_endpoint !== 'string' || typeof body.token_endpoint !== 'string') {
    throw new GatehouseClientError('discovery_failed', `${url} is not authorization server metadata`);
  }
  if (body.issuer !== issuer) {
    throw new GatehouseClientError('issuer_mismatch', `Metadata names issuer ${String(body.issuer)}, expected ${issuer}`);
  }
  return body as AuthorizationServerMetadata;
}
