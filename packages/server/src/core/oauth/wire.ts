/**
 * The JSON bodies of the OAuth endpoints, each declared once as a zod schema with its TypeScript
 * type inferred from it: the token response (RFC 6749 §5.1), the error body (§5.2), token
 * introspection (RFC 7662 §2.2), authorization server metadata (RFC 8414 §2) and the JWK set
 * (RFC 7517 §5). Core builds values of these types; the routes declare the same schemas as their
 * responses, so `/openapi.json` describes exactly what is sent. Plain zod, no HTTP: `meta({ id })`
 * is what names each one as an OpenAPI component.
 */
import { z } from 'zod';

export const TokenResponse = z
  .object({
    access_token: z.string().describe("`at_…` (opaque) or a JWT, per the application's settings"),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Seconds until the access token expires'),
    refresh_token: z.string().optional().describe('`rt_…`; not issued for client_credentials. Rotated on every use'),
    scope: z.string().describe('Space-separated granted scopes'),
  })
  .meta({ id: 'OAuthTokenResponse' });
export type TokenResponse = z.infer<typeof TokenResponse>;

export const OAuthErrorBody = z
  .object({
    error: z
      .string()
      .describe('RFC 6749 §5.2 code: `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`, `slow_down`, `server_error`'),
    error_description: z.string().describe('A human-readable explanation'),
  })
  .meta({ id: 'OAuthError' });
export type OAuthErrorBody = z.infer<typeof OAuthErrorBody>;

/**
 * One object rather than a union on `active`: an inactive answer is `{"active": false}` and
 * nothing else (RFC 7662 §2.2), which the optional fields allow and the description states.
 */
export const Introspection = z
  .object({
    active: z.boolean().describe('false for anything unknown, expired or revoked (then no other field is present)'),
    scope: z.string().optional(),
    client_id: z.string().optional().describe('The OAuth app, or the API key id for `sk_` keys and key-pair JWTs'),
    sub: z.string().optional().describe('The account the credential acts for'),
    token_type: z.enum(['Bearer', 'refresh_token', 'api_key']).optional(),
    exp: z.number().int().optional(),
    iat: z.number().int().optional(),
    iss: z.string().optional(),
    aud: z.string().optional(),
  })
  .meta({ id: 'TokenIntrospection' });
export type Introspection = z.infer<typeof Introspection>;

export const AuthorizationServerMetadata = z
  .object({
    issuer: z.string(),
    authorization_endpoint: z.string(),
    token_endpoint: z.string(),
    revocation_endpoint: z.string(),
    introspection_endpoint: z.string(),
    jwks_uri: z.string(),
    scopes_supported: z.array(z.string()),
    response_types_supported: z.array(z.string()),
    response_modes_supported: z.array(z.string()),
    grant_types_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    revocation_endpoint_auth_methods_supported: z.array(z.string()),
    introspection_endpoint_auth_methods_supported: z.array(z.string()),
    code_challenge_methods_supported: z.array(z.string()),
    authorization_response_iss_parameter_supported: z.boolean(),
  })
  .meta({ id: 'AuthorizationServerMetadata' });
export type AuthorizationServerMetadata = z.infer<typeof AuthorizationServerMetadata>;

export const JsonWebKeySet = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())).describe('Public JWKs (`kty`, `crv`, `x`, `y`, `kid`, `alg`, `use`)') })
  .meta({ id: 'JsonWebKeySet' });
export type JsonWebKeySet = z.infer<typeof JsonWebKeySet>;
