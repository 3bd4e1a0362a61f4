/**
 * The whole authorization-code flow driven by `openid-client` v6, a certified client: RFC 8414
 * discovery, PKCE S256, the authorization request (sign-in and consent submitted over HTTP),
 * the code exchange with `state` and RFC 9207 `iss` validated by the library, a call to
 * /v1/agents, refresh, revocation and introspection — for a confidential app with each
 * secret-based client authentication method, and for a public app (`none`, PKCE required).
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type TestServer, seedUser, startTestServer } from '../helpers/server.js';
import { Browser } from '../helpers/http.js';
import { PASSWORD, REDIRECT_URI, authorize, agentsStatus, registerApp } from './support.js';

type Method = 'client_secret_post' | 'client_secret_basic';
const AUTH: Record<Method, () => client.ClientAuth> = { client_secret_post: () => client.ClientSecretPost(), client_secret_basic: () => client.ClientSecretBasic() };

/** A fetch that remembers what the library asked for, so the test can assert the wire. */
function recordingFetch(seen: { url: string; method: string; auth: string | null; body: string }[]): client.CustomFetch {
  return async (url, options) => {
    const headers = new Headers(options.headers);
    seen.push({ url, method: options.method, auth: headers.get('authorization'), body: typeof options.body === 'string' ? options.body : String(options.body ?? '') });
    return fetch(url, options as RequestInit);
  };
}

describe.each(BACKENDS)('openid-client drives the full flow on $name', (backend) => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const newUser = async (s: TestServer) => {
    const email = `user-${Math.random().toString(36).slice(2)}@example.com`;
    await seedUser(s, email, PASSWORD);
    return { browser: new Browser(s.url), user: { email, password: PASSWORD } };
  };

  it.for(['client_secret_post', 'client_secret_basic'] as const)('confidential app with %s: discovery, PKCE, code, /v1/agents, refresh, revoke, introspect', async (method, ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'confidential');
    const seen: { url: string; method: string; auth: string | null; body: string }[] = [];
    const config = await client.discovery(new URL(s.url), app.client.id, app.secret!, AUTH[method](), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
      [client.customFetch]: recordingFetch(seen),
    });
    expect(seen[0]?.url).toBe(`${s.url}/.well-known/oauth-authorization-server`);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(s.url);
    expect(meta.token_endpoint).toBe(`${s.url}/oauth/token`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'read write',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    expect(url.href.startsWith(`${s.url}/oauth/authorize?`)).toBe(true);
    const { browser, user } = await newUser(s);
    const back = await authorize(browser, url, user);
    expect([...back.searchParams.keys()].sort()).toEqual(['code', 'iss', 'state']);

    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state });
    const exchange = seen.at(-1)!;
    expect(exchange.url).toBe(`${s.url}/oauth/token`);
    if (method === 'client_secret_basic') {
      expect(exchange.auth).toMatch(/^Basic /);
      expect(exchange.body).not.toContain('client_secret=');
    } else {
      expect(exchange.auth).toBeNull();
      expect(new URLSearchParams(exchange.body).get('client_secret')).toBe(app.secret);
    }
    expect(tokens.access_token).toMatch(/^at_/);
    expect(tokens.refresh_token).toMatch(/^rt_/);
    expect(tokens.token_type).toBe('bearer'); // oauth4webapi lower-cases it
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope).toBe('read write');
    expect(await agentsStatus(s, tokens.access_token)).toBe(200);

    const before = await client.tokenIntrospection(config, tokens.access_token);
    expect(before).toMatchObject({ active: true, client_id: app.client.id, scope: 'read write', token_type: 'Bearer' });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toMatch(/^at_/);
    expect(refreshed.refresh_token).toMatch(/^rt_/);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(await agentsStatus(s, refreshed.access_token)).toBe(200);

    // Revoking the refresh token ends the grant (RFC 7009 §2.1): its access tokens die with it.
    await client.tokenRevocation(config, refreshed.refresh_token!);
    expect(await agentsStatus(s, refreshed.access_token)).toBe(401);
    expect(await client.tokenIntrospection(config, refreshed.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(config, refreshed.refresh_token!)).toEqual({ active: false });
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('public app with none: PKCE required, code, refresh, revoke; introspection refused', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'public');
    expect(app.secret).toBeNull();
    const config = await client.discovery(new URL(s.url), app.client.id, undefined, client.None(), { algorithm: 'oauth2', execute: [client.allowInsecureRequests] });
    const { browser, user } = await newUser(s);

    // Without PKCE the server answers the app with an error (after validating client and redirect URI).
    const noPkceState = client.randomState();
    const refused = await authorize(browser, client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'read', state: noPkceState }), user);
    await expect(client.authorizationCodeGrant(config, refused, { expectedState: noPkceState })).rejects.toMatchObject({ error: 'invalid_request' });

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const back = await authorize(browser, url, user);
    // The library checks `iss` (RFC 9207): a response without it is refused.
    const stripped = new URL(back);
    stripped.searchParams.delete('iss');
    const missingIss = await client.authorizationCodeGrant(config, stripped, { pkceCodeVerifier: verifier, expectedState: state }).catch((e: unknown) => e);
    expect(missingIss).toBeInstanceOf(client.ClientError);
    expect(String((missingIss as Error).cause)).toMatch(/"iss" \(issuer\) missing/);

    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.scope).toBe('read');
    expect(await agentsStatus(s, tokens.access_token)).toBe(200);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toMatch(/^rt_/);
    expect(await agentsStatus(s, refreshed.access_token)).toBe(200);

    // Introspection is for confidential clients (resource servers) only.
    await expect(client.tokenIntrospection(config, refreshed.access_token)).rejects.toMatchObject({ error: 'unauthorized_client', status: 400 });
    await client.tokenRevocation(config, refreshed.refresh_token!);
    expect(await agentsStatus(s, refreshed.access_token)).toBe(401);
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
