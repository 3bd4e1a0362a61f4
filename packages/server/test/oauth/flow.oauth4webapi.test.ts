/**
 * The same flow with `oauth4webapi`, the strict request/process-pair client: RFC 8414
 * discovery (issuer checked), PKCE, `validateAuthResponse` (state and RFC 9207 `iss`), the
 * code exchange, refresh, RFC 7009 revocation and RFC 7662 introspection; and the
 * client_credentials grant (the app acts for its owner; public apps may not use it).
 */
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type TestServer, seedKey, seedUser, startTestServer } from '../helpers/server.js';
import { Browser } from '../helpers/http.js';
import { PASSWORD, REDIRECT_URI, authorize, agentsStatus, registerApp } from './support.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe.each(BACKENDS)('oauth4webapi drives the flow on $name', (backend) => {
  let server: TestServer | undefined;
  let as: oauth.AuthorizationServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
    if (!server) return;
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('discovers the RFC 8414 metadata with every endpoint the flow needs', (ctx) => {
    if (!server) return ctx.skip();
    expect(as).toMatchObject({
      issuer: server.url,
      authorization_endpoint: `${server.url}/oauth/authorize`,
      token_endpoint: `${server.url}/oauth/token`,
      revocation_endpoint: `${server.url}/oauth/revoke`,
      introspection_endpoint: `${server.url}/oauth/introspect`,
      jwks_uri: `${server.url}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(as.scopes_supported).toEqual(['read', 'write', 'delete', 'admin']);
  });

  const signInAndAuthorize = async (s: TestServer, c: oauth.Client, scope: string, challenge: string | null) => {
    const email = `user-${Math.random().toString(36).slice(2)}@example.com`;
    const user = await seedUser(s, email, PASSWORD);
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.searchParams.set('client_id', c.client_id);
    url.searchParams.set('redirect_uri', REDIRECT_URI);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', scope);
    url.searchParams.set('state', state);
    if (challenge) {
      url.searchParams.set('code_challenge', challenge);
      url.searchParams.set('code_challenge_method', 'S256');
    }
    const back = await authorize(new Browser(s.url), url, { email, password: PASSWORD });
    return { back, state, userId: user.id };
  };

  it.for([
    ['client_secret_post', (secret: string) => oauth.ClientSecretPost(secret)],
    ['client_secret_basic', (secret: string) => oauth.ClientSecretBasic(secret)],
  ] as const)('confidential app with %s: code + PKCE, refresh, introspect, revoke', async ([, auth], ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'confidential');
    const c: oauth.Client = { client_id: app.client.id };
    const clientAuth = auth(app.secret!);
    const verifier = oauth.generateRandomCodeVerifier();
    const { back, state, userId } = await signInAndAuthorize(s, c, 'read write', await oauth.calculatePKCECodeChallenge(verifier));

    // A wrong state or a foreign issuer is caught by the library before any token request.
    expect(() => oauth.validateAuthResponse(as, c, back, 'not-the-state')).toThrow(/state/);
    const forged = new URL(back);
    forged.searchParams.set('iss', 'https://evil.example');
    expect(() => oauth.validateAuthResponse(as, c, forged, state)).toThrow(/iss/);
    const params = oauth.validateAuthResponse(as, c, back, state);

    const res = await oauth.authorizationCodeGrantRequest(as, c, clientAuth, params, REDIRECT_URI, verifier, insecure);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = await oauth.processAuthorizationCodeResponse(as, c, res);
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'read write' });
    expect(tokens.access_token).toMatch(/^at_/);
    expect(tokens.refresh_token).toMatch(/^rt_/);
    expect(await agentsStatus(s, tokens.access_token)).toBe(200);

    const next = await oauth.processRefreshTokenResponse(as, c, await oauth.refreshTokenGrantRequest(as, c, clientAuth, tokens.refresh_token!, insecure));
    expect(next.refresh_token).toMatch(/^rt_/);
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(await agentsStatus(s, next.access_token)).toBe(200);

    const info = await oauth.processIntrospectionResponse(as, c, await oauth.introspectionRequest(as, c, clientAuth, next.access_token, insecure));
    expect(info).toMatchObject({ active: true, sub: userId, client_id: app.client.id, scope: 'read write', token_type: 'Bearer', iss: s.url });
    expect(info.exp! - info.iat!).toBe(3600);
    const refreshInfo = await oauth.processIntrospectionResponse(as, c, await oauth.introspectionRequest(as, c, clientAuth, next.refresh_token!, insecure));
    expect(refreshInfo).toMatchObject({ active: true, token_type: 'refresh_token', client_id: app.client.id });

    // Revoking the access token alone leaves the grant: the refresh token still works.
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, c, clientAuth, next.access_token, insecure));
    expect(await agentsStatus(s, next.access_token)).toBe(401);
    const after = await oauth.processIntrospectionResponse(as, c, await oauth.introspectionRequest(as, c, clientAuth, next.access_token, insecure));
    expect(after).toEqual({ active: false });
    const third = await oauth.processRefreshTokenResponse(as, c, await oauth.refreshTokenGrantRequest(as, c, clientAuth, next.refresh_token!, insecure));
    expect(await agentsStatus(s, third.access_token)).toBe(200);
  });

  it('public app with none: PKCE code exchange and refresh; a code without its verifier is refused', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'public');
    const c: oauth.Client = { client_id: app.client.id };
    const verifier = oauth.generateRandomCodeVerifier();
    const { back, state } = await signInAndAuthorize(s, c, 'read', await oauth.calculatePKCECodeChallenge(verifier));
    const params = oauth.validateAuthResponse(as, c, back, state);

    const wrong = await oauth.authorizationCodeGrantRequest(as, c, oauth.None(), params, REDIRECT_URI, oauth.generateRandomCodeVerifier(), insecure);
    await expect(oauth.processAuthorizationCodeResponse(as, c, wrong)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });

    // The failed attempt consumed the code (single use): no guessing the verifier on one code.
    const retry = await oauth.authorizationCodeGrantRequest(as, c, oauth.None(), params, REDIRECT_URI, verifier, insecure);
    await expect(oauth.processAuthorizationCodeResponse(as, c, retry)).rejects.toMatchObject({ error: 'invalid_grant' });
    const again = await signInAndAuthorize(s, c, 'read', await oauth.calculatePKCECodeChallenge(verifier));
    const fresh = oauth.validateAuthResponse(as, c, again.back, again.state);
    const tokens = await oauth.processAuthorizationCodeResponse(as, c, await oauth.authorizationCodeGrantRequest(as, c, oauth.None(), fresh, REDIRECT_URI, verifier, insecure));
    expect(tokens.scope).toBe('read');
    expect(await agentsStatus(s, tokens.access_token)).toBe(200);
    const next = await oauth.processRefreshTokenResponse(as, c, await oauth.refreshTokenGrantRequest(as, c, oauth.None(), tokens.refresh_token!, insecure));
    expect(await agentsStatus(s, next.access_token)).toBe(200);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, c, oauth.None(), next.refresh_token!, insecure));
    expect(await agentsStatus(s, next.access_token)).toBe(401);
  });

  it('client_credentials: the token works at /v1/agents and acts for the app owner; public apps are refused', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'confidential', { scopes: ['read', 'write', 'delete'] });
    // The owner creates an agent with a key of its own; the app's token then sees it.
    const { secret: ownerKey } = await seedKey(s, app.owner, ['write']);
    const made = await fetch(`${s.url}/v1/agents`, { method: 'POST', headers: { Authorization: `Bearer ${ownerKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'owner-agent' }) });
    expect(made.status).toBe(201);
    const c: oauth.Client = { client_id: app.client.id };
    const auth = oauth.ClientSecretBasic(app.secret!);
    const tokens = await oauth.processClientCredentialsResponse(as, c, await oauth.clientCredentialsGrantRequest(as, c, auth, { scope: 'read' }, insecure));
    expect(tokens.access_token).toMatch(/^at_/);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'read' });
    const res = await fetch(`${s.url}/v1/agents`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { name: string }[] };
    expect(body.data.map((a) => a.name)).toEqual(['owner-agent']);
    const info = await oauth.processIntrospectionResponse(as, c, await oauth.introspectionRequest(as, c, auth, tokens.access_token, insecure));
    expect(info).toMatchObject({ active: true, sub: app.owner.id, client_id: app.client.id, scope: 'read' });

    // Without a scope parameter the app gets what it is allowed; beyond that is invalid_scope.
    const all = await oauth.processClientCredentialsResponse(as, c, await oauth.clientCredentialsGrantRequest(as, c, auth, {}, insecure));
    expect(all.scope).toBe('read write delete');
    const wider = await oauth.clientCredentialsGrantRequest(as, c, auth, { scope: 'read admin' }, insecure);
    await expect(oauth.processClientCredentialsResponse(as, c, wider)).rejects.toMatchObject({ error: 'invalid_scope', status: 400 });

    const pub = await registerApp(s, 'public', {}, app.owner);
    const pc: oauth.Client = { client_id: pub.client.id };
    const refused = await oauth.clientCredentialsGrantRequest(as, pc, oauth.None(), { scope: 'read' }, insecure);
    await expect(oauth.processClientCredentialsResponse(as, pc, refused)).rejects.toMatchObject({ error: 'unauthorized_client', status: 400 });
  });
});
