/** POST /oauth/token, /oauth/revoke and /oauth/introspect: client-authenticated, form-encoded. */
import { type Context, Hono } from 'hono';
import { invalidRequest, oauthError } from '../../core/errors.js';
import { authenticateClient } from '../../core/oauth/client-auth.js';
import { type GrantDeps, type TokenResponse, clientCredentials as clientCredentialsGrant, exchangeCode, refresh } from '../../core/oauth/grants.js';
import { introspect, revoke } from '../../core/oauth/introspection.js';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';
import { clientIp } from '../ip.js';
import { clientCredentials, readForm } from './form.js';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export function tokenRoutes(rt: Runtime) {
  const { config } = rt;
  const app = new Hono<AppEnv>();
  const deps: GrantDeps = {
    core: rt,
    keyset: rt.keyset,
    box: rt.box,
    issuer: config.issuer,
    audience: config.audience,
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    refreshIdleSeconds: config.refreshTokenIdleSeconds,
  };
  const authenticate = async (c: Context<AppEnv>, form: URLSearchParams) =>
    (await authenticateClient(rt, clientCredentials(c, form), clientIp(c, config.trustProxy))).client;
  const opt = (form: URLSearchParams, name: string) => form.get(name) ?? undefined;

  app.post('/oauth/token', async (c) => {
    const form = await readForm(c);
    const client = await authenticate(c, form);
    const grantType = form.get('grant_type');
    let response: TokenResponse;
    switch (grantType) {
      case 'authorization_code':
        response = await exchangeCode(deps, client, { code: opt(form, 'code'), redirectUri: opt(form, 'redirect_uri'), codeVerifier: opt(form, 'code_verifier') });
        break;
      case 'refresh_token':
        response = await refresh(deps, client, { refreshToken: opt(form, 'refresh_token'), scope: opt(form, 'scope') });
        break;
      case 'client_credentials':
        response = await clientCredentialsGrant(deps, client, { scope: opt(form, 'scope') });
        break;
      case null:
        throw invalidRequest('Missing grant_type');
      default:
        // No implicit or password grant, ever (OAuth 2.1 §1.3; RFC 9700 §2.4).
        throw oauthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
    }
    return c.json(response, 200, NO_STORE);
  });

  app.post('/oauth/revoke', async (c) => {
    const form = await readForm(c);
    const client = await authenticate(c, form);
    const token = form.get('token');
    if (!token) throw invalidRequest('Missing token');
    await revoke(rt, client, token);
    return c.body(null, 200, NO_STORE);
  });

  app.post('/oauth/introspect', async (c) => {
    const form = await readForm(c);
    const client = await authenticate(c, form);
    if (client.type !== 'confidential') throw oauthError('unauthorized_client', 'Introspection needs a confidential client');
    const token = form.get('token');
    if (!token) throw invalidRequest('Missing token');
    const result = await introspect({ core: rt, keys: rt.apiKeys, accessTokens: rt.accessTokens, keyset: rt.keyset, issuer: config.issuer, audience: config.audience }, token);
    return c.json(result, 200, NO_STORE);
  });

  return app;
}
