/**
 * OpenAPI entries for the routes that are not built with `createRoute`: the form-encoded OAuth
 * endpoints (RFC 6749, 7009, 7662), the `/.well-known` documents (RFC 8414, RFC 7517), the
 * agent skills, and the operational endpoints. They are documented here so `/openapi.json`
 * lists every route a client can call; the handlers stay where they are.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { ErrorBody } from './api/openapi.js';
import type { AppEnv } from './env.js';

const FORM = 'application/x-www-form-urlencoded';

const OAuthError = z
  .object({
    error: z.string().describe('RFC 6749 §5.2 code: `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`, `slow_down`, `server_error`'),
    error_description: z.string().describe('A human-readable explanation'),
  })
  .openapi('OAuthError');

const TokenResponse = z
  .object({
    access_token: z.string().describe('`at_…` (opaque) or a JWT, per the application\'s settings'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Seconds until the access token expires'),
    refresh_token: z.string().optional().describe('`rt_…`; not issued for client_credentials. Rotated on every use'),
    scope: z.string().describe('Space-separated granted scopes'),
  })
  .openapi('OAuthTokenResponse');

const Introspection = z
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
  .openapi('TokenIntrospection');

const Metadata = z
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
  .openapi('AuthorizationServerMetadata');

const Jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())).describe('Public JWKs (`kty`, `crv`, `x`, `y`, `kid`, `alg`, `use`)') })
  .openapi('JsonWebKeySet');

const SkillList = z
  .object({
    data: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        url: z.string().describe('Where the rendered SKILL.md is served'),
      }),
    ),
  })
  .openapi('SkillList');

const ClientAuth = {
  client_id: z.string().optional().describe('Required for public apps; for confidential apps, when not using HTTP Basic'),
  client_secret: z.string().optional().describe('`cs_…`, when not using HTTP Basic (client_secret_post)'),
};

const AuthorizeQuery = z.object({
  response_type: z.literal('code'),
  client_id: z.string(),
  redirect_uri: z.string().optional().describe('Must exactly match a registered URI (any port for loopback); optional when only one is registered'),
  scope: z.string().optional().describe('Space-separated scopes'),
  state: z.string().optional().describe('Returned unchanged to the app'),
  code_challenge: z.string().optional().describe('PKCE S256 challenge; required for public apps'),
  code_challenge_method: z.literal('S256').optional(),
});

const oauthErrors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      code,
      {
        description: { 400: 'Invalid request or grant', 401: 'Client authentication failed', 429: 'Throttled (`slow_down`); see Retry-After' }[code] ?? 'Error',
        content: { 'application/json': { schema: OAuthError } },
      },
    ]),
  );

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const clientSecurity = [{ clientBasic: [] }, {}];

export function registerExtraPaths(app: OpenAPIHono<AppEnv>): void {
  const r = app.openAPIRegistry;
  r.registerComponent('securitySchemes', 'clientBasic', {
    type: 'http',
    scheme: 'basic',
    description: 'OAuth client authentication (client_secret_basic): the client_id and `cs_…` secret, each form-url-encoded',
  });

  r.registerPath({
    method: 'get',
    path: '/oauth/authorize',
    tags: ['OAuth 2.0'],
    summary: 'Start an authorization (RFC 6749 §4.1.1): sign-in, then the consent page',
    request: { query: AuthorizeQuery },
    responses: {
      200: html('The consent page'),
      303: { description: 'To `/console/login?next=…` when signed out; or to the redirect URI with `code`, `state` and `iss` (or `error`) when consent was given before' },
      400: html('The client or redirect URI is invalid: shown here, never redirected'),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/oauth/authorize',
    tags: ['OAuth 2.0'],
    summary: 'Submit the consent form',
    request: {
      body: {
        required: true,
        content: { [FORM]: { schema: AuthorizeQuery.extend({ csrf: z.string().describe('The hidden CSRF field of the page'), decision: z.enum(['allow', 'deny']) }) } },
      },
    },
    responses: {
      303: { description: 'To the redirect URI with `code`, `state` and `iss`, or with `error=access_denied`' },
      400: html('The request is invalid'),
      403: html('Missing or invalid CSRF token'),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/oauth/token',
    tags: ['OAuth 2.0'],
    summary: 'Exchange a code, refresh a token, or get a client_credentials token (RFC 6749 §3.2)',
    security: clientSecurity,
    request: {
      body: {
        required: true,
        content: {
          [FORM]: {
            schema: z.object({
              grant_type: z.enum(['authorization_code', 'refresh_token', 'client_credentials']),
              code: z.string().optional().describe('authorization_code: the code from the redirect'),
              redirect_uri: z.string().optional().describe('authorization_code: the redirect URI of the authorization request'),
              code_verifier: z.string().optional().describe('authorization_code: the PKCE verifier'),
              refresh_token: z.string().optional().describe('refresh_token: the current `rt_…`'),
              scope: z.string().optional().describe('refresh_token / client_credentials: narrower scopes (never wider)'),
              ...ClientAuth,
            }),
          },
        },
      },
    },
    responses: { 200: { ...json(TokenResponse, 'Tokens (`Cache-Control: no-store`)') }, ...oauthErrors(400, 401, 429) },
  });
  r.registerPath({
    method: 'post',
    path: '/oauth/revoke',
    tags: ['OAuth 2.0'],
    summary: 'Revoke an access or refresh token issued to the calling app (RFC 7009)',
    security: clientSecurity,
    request: {
      body: {
        required: true,
        content: { [FORM]: { schema: z.object({ token: z.string(), token_type_hint: z.string().optional().describe('Accepted and ignored (RFC 7009 §2.1)'), ...ClientAuth }) } },
      },
    },
    responses: { 200: { description: 'Revoked, or the token was unknown (empty body)' }, ...oauthErrors(400, 401, 429) },
  });
  r.registerPath({
    method: 'post',
    path: '/oauth/introspect',
    tags: ['OAuth 2.0'],
    summary: 'Introspect any credential: `at_…`, `rt_…`, JWTs and `sk_…` keys (RFC 7662); confidential apps only',
    security: clientSecurity,
    request: { body: { required: true, content: { [FORM]: { schema: z.object({ token: z.string(), ...ClientAuth }) } } } },
    responses: { 200: json(Introspection, 'The token\'s state'), ...oauthErrors(400, 401, 429) },
  });
  r.registerPath({
    method: 'get',
    path: '/.well-known/oauth-authorization-server',
    tags: ['Discovery'],
    summary: 'Authorization server metadata (RFC 8414)',
    responses: { 200: json(Metadata, 'The metadata (cacheable for 5 minutes)') },
  });
  r.registerPath({
    method: 'get',
    path: '/.well-known/jwks.json',
    tags: ['Discovery'],
    summary: 'The public signing keys (RFC 7517): upcoming, current and recently retired',
    responses: { 200: json(Jwks, 'The key set (cacheable for 5 minutes)') },
  });
  r.registerPath({
    method: 'get',
    path: '/skills',
    tags: ['Agent skills'],
    summary: 'The agent skills this server serves',
    responses: { 200: json(SkillList, 'Every skill, with its description and URL') },
  });
  r.registerPath({
    method: 'get',
    path: '/skills/{name}/SKILL.md',
    tags: ['Agent skills'],
    summary: 'One agent skill, rendered with this server\'s URL and scopes',
    request: { params: z.object({ name: z.string().describe('e.g. `gatehouse-authentication`') }) },
    responses: {
      200: { description: 'The skill', content: { 'text/markdown': { schema: z.string() } } },
      404: json(ErrorBody, 'No such skill'),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/healthz',
    tags: ['Operations'],
    summary: 'Liveness: the process answers',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
  });
  r.registerPath({
    method: 'get',
    path: '/readyz',
    tags: ['Operations'],
    summary: 'Readiness: the database answers',
    responses: {
      200: json(z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']) }), 'Ready'),
      503: json(z.object({ status: z.literal('unavailable'), database: z.enum(['sqlite', 'postgres']) }), 'The database does not answer'),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/openapi.json',
    tags: ['Operations'],
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: json(z.record(z.string(), z.unknown()), 'The document') },
  });
}
