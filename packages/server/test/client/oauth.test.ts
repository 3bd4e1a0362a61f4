/**
 * OAuth mode against a real server on both backends, one FakeClock shared by server and SDK:
 * the full authorization-code flow (PKCE S256, state, iss) with each client authentication
 * method, calls with the access token, automatic refresh with rotation (proactive, and after a
 * 401 invalid_token), 50 concurrent calls causing exactly one refresh without tripping reuse
 * detection, callback errors, and revocation.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Gatehouse, GatehouseClientError, GatehouseOAuth, GatehouseOAuthError, type TokenSet } from '@gatehouse/client';
import { FakeClock } from '../../src/core/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { type TestServer, useServer } from '../helpers/server.js';
import { REDIRECT_URI, answerConsent, recordingFetch, registerApp, requestCount, signedInUser } from './support.js';

const HOUR = 3_600_000;
const agentsStatus = async (server: TestServer, token: string) => (await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${token}` } })).status;

describe.each(BACKENDS)('gatehouse/client as an OAuth app on $name', (backend) => {
  const clock = new FakeClock();
  const getServer = useServer(backend, { clock });
  const tokenRequests = () => requestCount(getServer(), 'POST', '/oauth/token');

  /** A confidential app, an SDK for it and a signed-in user who allowed it. */
  async function signedInApp(options: { now?: () => number; refreshGraceSeconds?: number } = {}) {
    const server = getServer();
    const { client, secret } = await registerApp(server, 'confidential', undefined, options.refreshGraceSeconds === undefined ? {} : { refreshGraceSeconds: options.refreshGraceSeconds });
    const gh = new Gatehouse({
      baseUrl: server.url,
      oauth: { clientId: client.id, clientSecret: secret!, redirectUri: REDIRECT_URI, scope: 'read write' },
      now: options.now ?? (() => clock.now()),
    });
    const { url, state, codeVerifier } = await gh.oauth.authorizationUrl();
    const callback = await answerConsent(server, await signedInUser(server), url);
    const tokens = await gh.oauth.handleCallback(callback, { state, codeVerifier });
    return { gh, client, secret: secret!, tokens };
  }

  for (const method of ['client_secret_basic', 'client_secret_post', 'none'] as const) {
    it(`runs the authorization code flow with PKCE and refreshes (${method})`, async (ctx) => {
      const server = getServer(ctx);
      const { client, secret } = await registerApp(server, method === 'none' ? 'public' : 'confidential');
      const sent: Parameters<typeof recordingFetch>[0] = [];
      const gh = new Gatehouse({
        baseUrl: server.url,
        oauth: { clientId: client.id, ...(secret ? { clientSecret: secret } : {}), clientAuthMethod: method, redirectUri: REDIRECT_URI },
        fetch: recordingFetch(sent),
        now: () => clock.now(),
      });
      const { url, state, codeVerifier } = await gh.oauth.authorizationUrl({ scope: ['read', 'write'] });
      const params = new URL(url).searchParams;
      expect(`${new URL(url).origin}${new URL(url).pathname}`).toBe(`${server.url}/oauth/authorize`);
      expect(Object.fromEntries(params)).toEqual({
        response_type: 'code',
        client_id: client.id,
        redirect_uri: REDIRECT_URI,
        scope: 'read write',
        state,
        code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const callback = await answerConsent(server, await signedInUser(server), url);
      const tokens = await gh.oauth.handleCallback(callback, { state, codeVerifier });
      expect(tokens).toEqual({ accessToken: expect.stringMatching(/^at_/), tokenType: 'Bearer', expiresAt: clock.now() + HOUR, refreshToken: expect.stringMatching(/^rt_/), scope: 'read write' });
      expect(await gh.json('/v1/agents')).toEqual({ data: [] });

      const refreshed = await gh.oauth.refresh();
      expect(refreshed.refreshToken).toMatch(/^rt_/);
      expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
      expect(await agentsStatus(server, refreshed.accessToken)).toBe(200);

      const tokenCalls = sent.filter((s) => s.url === `${server.url}/oauth/token`);
      expect(tokenCalls).toHaveLength(2);
      for (const call of tokenCalls) {
        const form = new URLSearchParams(call.body);
        if (method === 'client_secret_basic') {
          expect(call.headers.get('authorization')).toBe(`Basic ${btoa(`${client.id}:${secret}`)}`);
          expect(form.has('client_id')).toBe(false);
        } else {
          expect(call.headers.has('authorization')).toBe(false);
          expect(form.get('client_id')).toBe(client.id);
          expect(form.get('client_secret')).toBe(method === 'client_secret_post' ? secret : null);
        }
      }
      expect(new URLSearchParams(tokenCalls[0]!.body).get('code_verifier')).toBe(codeVerifier);
    });
  }

  it('refreshes automatically shortly before expiry, rotating the refresh token', async (ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    const { gh, tokens } = await signedInApp();
    const before = tokenRequests();
    clock.advance(HOUR - 60_000);
    await gh.json('/v1/agents');
    expect(tokenRequests() - before).toBe(0);
    clock.advance(31_000); // 29 s left: inside the 30 s lead
    await gh.json('/v1/agents');
    expect(tokenRequests() - before).toBe(1);
    const now = (await gh.oauth.tokens())!;
    expect(now.accessToken).not.toBe(tokens.accessToken);
    expect(now.refreshToken).not.toBe(tokens.refreshToken);
    expect(now.scope).toBe('read write');
  });

  it('50 concurrent calls after expiry cause exactly one refresh, and the grant survives', async (ctx) => {
    const server = getServer(ctx);
    const { gh, tokens } = await signedInApp();
    clock.advance(2 * HOUR);
    expect(await agentsStatus(server, tokens.accessToken)).toBe(401);
    const before = tokenRequests();
    const results = await Promise.all(Array.from({ length: 50 }, () => gh.json('/v1/agents')));
    expect(results).toEqual(Array(50).fill({ data: [] }));
    expect(tokenRequests() - before).toBe(1);
    // No reuse was detected: the rotated refresh token still works.
    const again = await gh.oauth.refresh();
    expect(await agentsStatus(server, again.accessToken)).toBe(200);
  });

  it('refreshes once when 50 concurrent calls get 401 invalid_token for a token the SDK thought valid', async (ctx) => {
    const server = getServer(ctx);
    const sdkClock = new FakeClock(clock.now());
    const { gh } = await signedInApp({ now: () => sdkClock.now() });
    clock.advance(2 * HOUR); // only the server's clock moves
    const before = tokenRequests();
    const agentsBefore = requestCount(server, 'GET', '/v1/agents');
    const statuses = await Promise.all(Array.from({ length: 50 }, async () => (await gh.fetch('/v1/agents')).status));
    expect(statuses).toEqual(Array(50).fill(200));
    expect(tokenRequests() - before).toBe(1);
    expect(requestCount(server, 'GET', '/v1/agents') - agentsBefore).toBe(100);
    expect((await gh.oauth.refresh()).accessToken).toMatch(/^at_/);
  });

  it('checks iss and state on the callback and surfaces error answers without exchanging anything', async (ctx) => {
    const server = getServer(ctx);
    const { client, secret } = await registerApp(server, 'confidential');
    const gh = new Gatehouse({ baseUrl: server.url, oauth: { clientId: client.id, clientSecret: secret!, redirectUri: REDIRECT_URI, scope: 'read' } });
    const session = await signedInUser(server);
    const request = await gh.oauth.authorizationUrl();
    const callback = new URL(await answerConsent(server, session, request.url));
    const before = tokenRequests();
    const tampered = (name: string, value: string | null) => {
      const u = new URL(callback);
      if (value === null) u.searchParams.delete(name);
      else u.searchParams.set(name, value);
      return gh.oauth.handleCallback(u, request).catch((e: unknown) => e);
    };
    expect(await tampered('iss', 'https://evil.example')).toMatchObject({ error: 'issuer_mismatch', status: undefined });
    expect(await tampered('iss', null)).toMatchObject({ error: 'issuer_mismatch' });
    expect(await tampered('state', 'forged')).toMatchObject({ error: 'state_mismatch' });
    expect(await tampered('code', null)).toMatchObject({ error: 'missing_code' });
    expect(tokenRequests() - before).toBe(0);
    expect(await gh.oauth.tokens()).toBeUndefined();

    const denied = await gh.oauth.authorizationUrl();
    const deniedBack = await answerConsent(server, await signedInUser(server), denied.url, 'deny');
    const err = await gh.oauth.handleCallback(deniedBack, denied).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatehouseOAuthError);
    expect(err).toMatchObject({ error: 'access_denied', status: undefined, errorDescription: expect.any(String) });

    // A code exchanged with the wrong verifier: the token endpoint's RFC 6749 error, typed.
    const wrong = await gh.oauth.handleCallback(callback, { ...request, codeVerifier: 'x'.repeat(43) }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(GatehouseOAuthError);
    expect(wrong).toMatchObject({ status: 400, error: 'invalid_grant', errorDescription: expect.stringMatching(/code_verifier/) });
  });

  it('revokes the grant and clears the store; a dead grant clears the store on refresh', async (ctx) => {
    const server = getServer(ctx);
    const { gh, tokens } = await signedInApp();
    await gh.oauth.revoke();
    expect(await gh.oauth.tokens()).toBeUndefined();
    expect(await agentsStatus(server, tokens.accessToken)).toBe(401);
    await expect(gh.json('/v1/agents')).rejects.toMatchObject({ code: 'not_signed_in' });
    await expect(gh.json('/v1/agents')).rejects.toBeInstanceOf(GatehouseClientError);

    // Reuse detection elsewhere (here: someone replays the first refresh token) revokes the grant
    // (strict rotation, so that the immediate replay is not inside a reuse window).
    const second = await signedInApp({ refreshGraceSeconds: 0 });
    const rotated = await second.gh.oauth.refresh();
    const replay = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: second.tokens.refreshToken!, client_id: second.client.id, client_secret: second.secret }),
    });
    expect(replay.status).toBe(400);
    expect(await agentsStatus(server, rotated.accessToken)).toBe(401);
    const err = await second.gh.fetch('/v1/agents').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatehouseOAuthError);
    expect(err).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(await second.gh.oauth.tokens()).toBeUndefined();
  });

  it('works as a standalone GatehouseOAuth, and refuses metadata that names another issuer', async (ctx) => {
    const server = getServer(ctx);
    const { client, secret } = await registerApp(server, 'confidential');
    const oauth = new GatehouseOAuth({ issuer: server.url, clientId: client.id, clientSecret: secret!, redirectUri: REDIRECT_URI, scope: 'read', now: () => clock.now() });
    expect(await oauth.metadata()).toMatchObject({ issuer: server.url, token_endpoint: `${server.url}/oauth/token`, authorization_response_iss_parameter_supported: true });
    const { url, state, codeVerifier } = await oauth.authorizationUrl();
    await oauth.handleCallback(await answerConsent(server, await signedInUser(server), url), { state, codeVerifier });
    expect(await agentsStatus(server, await oauth.accessToken())).toBe(200);

    // The same server under another name: its metadata says 127.0.0.1, so discovery fails.
    const renamed = new GatehouseOAuth({ issuer: server.url.replace('127.0.0.1', 'localhost'), clientId: client.id, redirectUri: REDIRECT_URI });
    const err = await renamed.authorizationUrl().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatehouseClientError);
    expect(err).toMatchObject({ code: 'issuer_mismatch' });
  });

  it('keeps tokens in a custom TokenStore', async (ctx) => {
    const server = getServer(ctx);
    const saved: (TokenSet | undefined)[] = [];
    let current: TokenSet | undefined;
    const store = {
      get: async () => current,
      set: async (t: TokenSet) => {
        current = t;
        saved.push(t);
      },
      clear: async () => {
        current = undefined;
        saved.push(undefined);
      },
    };
    const { client, secret } = await registerApp(server, 'confidential');
    const gh = new Gatehouse({ baseUrl: server.url, oauth: { clientId: client.id, clientSecret: secret!, redirectUri: REDIRECT_URI, scope: 'read', store }, now: () => clock.now() });
    const { url, state, codeVerifier } = await gh.oauth.authorizationUrl();
    await gh.oauth.handleCallback(await answerConsent(server, await signedInUser(server), url), { state, codeVerifier });
    clock.advance(2 * HOUR);
    await gh.json('/v1/agents');
    await gh.oauth.revoke();
    expect(saved.map((t) => t?.scope)).toEqual(['read', 'read', undefined]);
    expect(saved[1]!.refreshToken).not.toBe(saved[0]!.refreshToken);
  });
});
