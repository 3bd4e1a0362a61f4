/**
 * POST /oauth/revoke (RFC 7009) and POST /oauth/introspect (RFC 7662) over real HTTP: what
 * revocation ends and when, what it must not touch (another client's tokens), the answers for
 * every credential kind Gatehouse issues, who may introspect, and the brute-force throttle on
 * client authentication at the token, revocation and introspection endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { hashSecret } from '../../src/core/credentials.js';
import { BACKENDS } from '../helpers/backends.js';
import { type TestServer, seedKey, seedUser, startTestServer } from '../helpers/server.js';
import { REDIRECT_URI, agentsStatus, expectOAuthError, oauthPost, obtainCode, registerApp } from './support.js';

const RANDOM_AT = 'at_000000000000000000000000000000000000'; // well-formed length, bad checksum

describe.each(BACKENDS)('revocation and introspection on $name', (backend) => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  /** A confidential app, its credentials, and a token pair for a consenting user. */
  const tokensFor = async (s: TestServer) => {
    const app = await registerApp(s, 'confidential');
    const creds = { client_id: app.client.id, client_secret: app.secret! };
    const code = await obtainCode(s, app.client.id);
    const r = await oauthPost(s, '/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...creds });
    expect(r.res.status).toBe(200);
    return { app, creds, access: String(r.body.access_token), refresh: String(r.body.refresh_token) };
  };

  it('revoking an access token stops it at once at /v1/agents (even right after a cached use); the refresh token lives on', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const t = await tokensFor(s);
    expect(await agentsStatus(s, t.access)).toBe(200); // now in the verifier's cache
    const r = await oauthPost(s, '/oauth/revoke', { token: t.access, token_type_hint: 'access_token', ...t.creds });
    expect(r.res.status).toBe(200);
    expect(r.res.headers.get('cache-control')).toBe('no-store');
    expect(await agentsStatus(s, t.access)).toBe(401);
    const refreshed = await oauthPost(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t.refresh, ...t.creds });
    expect(refreshed.res.status).toBe(200);
    expect(await agentsStatus(s, String(refreshed.body.access_token))).toBe(200);
  });

  it('revoking a refresh token revokes the grant (a wrong token_type_hint does not matter)', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const t = await tokensFor(s);
    expect(await agentsStatus(s, t.access)).toBe(200);
    const r = await oauthPost(s, '/oauth/revoke', { token: t.refresh, token_type_hint: 'access_token', ...t.creds });
    expect(r.res.status).toBe(200);
    expect(await agentsStatus(s, t.access)).toBe(401);
    expectOAuthError(await oauthPost(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t.refresh, ...t.creds }), 400, 'invalid_grant');
  });

  it("revoking another client's tokens is a 200 no-op", async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const victim = await tokensFor(s);
    const other = await registerApp(s, 'confidential');
    const otherCreds = { client_id: other.client.id, client_secret: other.secret! };
    for (const token of [victim.access, victim.refresh]) {
      const r = await oauthPost(s, '/oauth/revoke', { token, ...otherCreds });
      expect(r.res.status).toBe(200);
    }
    expect(await agentsStatus(s, victim.access)).toBe(200);
    const refreshed = await oauthPost(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: victim.refresh, ...victim.creds });
    expect(refreshed.res.status).toBe(200);
  });

  it('an unknown token is 200; a missing token is 400 invalid_request; no client authentication is 401 invalid_client', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const { creds } = await tokensFor(s);
    for (const token of [RANDOM_AT, 'rt_unknown', 'not-a-token-at-all']) {
      const r = await oauthPost(s, '/oauth/revoke', { token, ...creds });
      expect(r.res.status, token).toBe(200);
    }
    expectOAuthError(await oauthPost(s, '/oauth/revoke', { ...creds }), 400, 'invalid_request');
    expectOAuthError(await oauthPost(s, '/oauth/revoke', { token: RANDOM_AT }), 401, 'invalid_client');
    const basic = await oauthPost(s, '/oauth/revoke', { token: RANDOM_AT }, { id: creds.client_id, secret: 'cs_wrong' });
    expectOAuthError(basic, 401, 'invalid_client');
    expect(basic.res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('introspection of live at_ and rt_ tokens carries scope, client_id, sub, exp, iat and token_type', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const t = await tokensFor(s);
    const grant = (await s.runtime.store.oauth.tokens.findRefresh(hashSecret(t.refresh)))!.grant;
    const access = await oauthPost(s, '/oauth/introspect', { token: t.access, ...t.creds });
    expect(access.res.status).toBe(200);
    expect(access.res.headers.get('cache-control')).toBe('no-store');
    expect(access.body).toEqual({
      active: true,
      scope: 'read write',
      client_id: t.app.client.id,
      sub: grant.userId,
      token_type: 'Bearer',
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: s.url,
      aud: s.url,
    });
    expect(Number(access.body.exp) - Number(access.body.iat)).toBe(3600);
    const refresh = await oauthPost(s, '/oauth/introspect', { token: t.refresh, ...t.creds });
    expect(refresh.body).toMatchObject({ active: true, scope: 'read write', client_id: t.app.client.id, sub: grant.userId, token_type: 'refresh_token' });

    // Client authentication by HTTP Basic works as well.
    const viaBasic = await oauthPost(s, '/oauth/introspect', { token: t.access }, { id: t.creds.client_id, secret: t.creds.client_secret });
    expect(viaBasic.body.active).toBe(true);

    for (const token of [RANDOM_AT, 'garbage', `${t.access}x`]) {
      const r = await oauthPost(s, '/oauth/introspect', { token, ...t.creds });
      expect(r.res.status).toBe(200);
      expect(r.body).toEqual({ active: false });
    }
    expectOAuthError(await oauthPost(s, '/oauth/introspect', { ...t.creds }), 400, 'invalid_request');
  });

  it('introspection answers for sk_ API keys (token_type api_key) and /v0/auth JWTs', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const { creds } = await tokensFor(s);
    const owner = await seedUser(s);
    const { key, secret } = await seedKey(s, owner, ['read', 'write']);
    const apiKey = await oauthPost(s, '/oauth/introspect', { token: secret, ...creds });
    expect(apiKey.body).toMatchObject({ active: true, token_type: 'api_key', scope: 'read write', client_id: key.id, sub: owner.id, iat: expect.any(Number) });

    const exchanged = await fetch(`${s.url}/v0/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key_id: key.id, key_secret: secret, scopes: ['read'] }),
    });
    expect(exchanged.status).toBe(200);
    const jwt = ((await exchanged.json()) as { access_token: string }).access_token;
    const viaJwt = await oauthPost(s, '/oauth/introspect', { token: jwt, ...creds });
    expect(viaJwt.body).toMatchObject({ active: true, token_type: 'Bearer', scope: 'read', client_id: key.id, sub: owner.id, exp: expect.any(Number), iat: expect.any(Number) });
    expect(Number(viaJwt.body.exp) - Number(viaJwt.body.iat)).toBe(900);

    // A JWT with a flipped signature byte is inactive, not an error.
    const tampered = `${jwt.slice(0, -2)}${jwt.at(-2) === 'A' ? 'B' : 'A'}${jwt.slice(-1)}`;
    expect(tampered).not.toBe(jwt);
    expect((await oauthPost(s, '/oauth/introspect', { token: tampered, ...creds })).body).toEqual({ active: false });
  });

  it('public clients may not introspect (unauthorized_client); wrong secrets are invalid_client', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const t = await tokensFor(s);
    const pub = await registerApp(s, 'public');
    expectOAuthError(await oauthPost(s, '/oauth/introspect', { token: t.access, client_id: pub.client.id }), 400, 'unauthorized_client');
    expectOAuthError(await oauthPost(s, '/oauth/introspect', { token: t.access }), 401, 'invalid_client');
    expectOAuthError(await oauthPost(s, '/oauth/introspect', { token: t.access, client_id: t.app.client.id, client_secret: 'cs_nope' }), 401, 'invalid_client');
    // A public client cannot pretend to be confidential by omitting the secret of a confidential app.
    expectOAuthError(await oauthPost(s, '/oauth/introspect', { token: t.access, client_id: t.app.client.id }), 401, 'invalid_client');
  });
});

describe.each(BACKENDS)('client authentication throttling on $name', (backend) => {
  const clock = new FakeClock(Date.now());
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(backend, { clock });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it.for([
    ['/oauth/token', { grant_type: 'client_credentials' }],
    ['/oauth/revoke', { token: RANDOM_AT }],
    ['/oauth/introspect', { token: RANDOM_AT }],
  ] as const)('%s answers 429 slow_down with Retry-After after repeated failures, even for the right secret', async ([path, form], ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'confidential');
    const good = { ...form, client_id: app.client.id, client_secret: app.secret! };
    const bad = { ...form, client_id: app.client.id, client_secret: 'cs_000000000000000000000000000000000000' };
    let failures = 0;
    let last = await oauthPost(s, path, bad);
    while (last.res.status === 401 && failures < 100) {
      failures++;
      last = await oauthPost(s, path, bad);
    }
    expect(failures).toBe(20); // 20 failures per client_id per 5 minutes
    expectOAuthError(last, 429, 'slow_down');
    const retryAfter = Number(last.res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expectOAuthError(await oauthPost(s, path, good), 429, 'slow_down');

    clock.advance(retryAfter * 1000 + 1000);
    const after = await oauthPost(s, path, good);
    expect(after.res.status).toBe(200);
  });
});
