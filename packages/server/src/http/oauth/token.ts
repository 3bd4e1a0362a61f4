/** POST /oauth/token, /oauth/revoke and /oauth/introspect: client-authenticated, form-encoded. */
import { type Context, Hono } from 'hono';
import { invalidRequest, oauthError } from '../../core/errors.js';
import { authenticateClient } from '../../core/oauth/client-auth.js';
import { type GrantDeps, grants } from '../../core/oauth/grants/index.js';
import { introspect, revoke } from '../../core/oauth/introspection.js';
import type { AppEnv, Services } from '../env.js';
import { clientIp } from '../ip.js';
import { clientCredentials, readForm } from './form.js';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export function tokenRoutes(services: Services) {
  const { config, core, throttle } = services;
  const app = new Hono<AppEnv>();
  const deps: GrantDeps = {
    core,
    keyset: services.keyset,
    box: services.box,
    issuer: config.issuer,
    audience: config.audience,
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    refreshIdleSeconds: config.refreshTokenIdleSeconds,
  };
  const authenticate = async (c: Context<AppEnv>, form: URLSearchParams) =>
    (await authenticateClient(core, throttle, clientCredentials(c, form), clientIp(c, config.trustProxy))).client;

  app.post('/oauth/token', async (c) => {
    const form = await readForm(c);
    const client = await authenticate(c, form);
    const grantType = form.get('grant_type');
    if (grantType === null) throw invalidRequest('Missing grant_type');
    const response = await grants.get(grantType).handle(deps, client, Object.fromEntries(form));
    return c.json(response, 200, NO_STORE);
  });

  app.post('/oauth/revoke', async (c) => {
    const form = await readForm(c);
    const client = await authenticate(c, form);
    const token = form.get('token');
    if (!token) throw invalidRequest('Missing token');
    await revoke(core, client, token);
    return c.body(null, 200, NO_STORE);
  });

  app.post('/oauth/introspect', async (c) => {
    const form = await readForm(c);
    const client = await authenticate(c, form);
    if (client.type !== 'confidential') throw oauthError('unauthorized_client', 'Introspection needs a confidential client');
    const token = form.get('token');
    if (!token) throw invalidRequest('Missing token');
    const result = await introspect({ core, keys: services.keys, accessTokens: services.accessTokens, keyset: services.keyset, issuer: config.issuer, audience: config.audience }, token);
    return c.json(result, 200, NO_STORE);
  });

  return app;
}
