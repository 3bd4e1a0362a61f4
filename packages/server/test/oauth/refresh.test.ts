/**
 * Refresh tokens (RFC 6749 §6, RFC 9700 §4.14): rotation with reuse detection that revokes the
 * grant, scope narrowing but never widening, the per-app refresh reuse window (default 30 s,
 * 0 for strict rotation), idle and absolute
 * lifetimes (fake clock), binding to the client, and RFC 9068 JWT access tokens for apps that
 * opt in (checked by oauth4webapi's resource-server validator).
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { ClientSettings } from '../../src/core/oauth/clients.js';
import type { ClientType } from '../../src/core/model/client.js';
import { BACKENDS } from '../helpers/backends.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { REDIRECT_URI, agentsStatus, expectOAuthError, oauthPost, obtainCode, registerApp } from './support.js';

const HOUR = 3_600_000;
const IDLE_SECONDS = 3600;
const ABSOLUTE_SECONDS = 3 * 3600;

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

describe.each(BACKENDS)('refresh tokens on $name', (backend) => {
  const clock = new FakeClock(Date.now());
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(backend, {
      clock,
      env: { GATEHOUSE_REFRESH_TOKEN_IDLE_SECONDS: String(IDLE_SECONDS), GATEHOUSE_REFRESH_TOKEN_TTL_SECONDS: String(ABSOLUTE_SECONDS) },
    });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  /** An app, a consenting user, and the first token pair (client_secret_post). */
  const start = async (s: TestServer, settings: Partial<ClientSettings> = {}, type: ClientType = 'confidential') => {
    const app = await registerApp(s, type, settings);
    const creds = { client_id: app.client.id, ...(app.secret ? { client_secret: app.secret } : {}) };
    const code = await obtainCode(s, app.client.id, { scope: 'read write' });
    const r = await oauthPost(s, '/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...creds });
    expect(r.res.status, JSON.stringify(r.body)).toBe(200);
    const refresh = (token: string, extra: Record<string, string> = {}) => oauthPost(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: token, ...creds, ...extra });
    return { app, creds, first: r.body as unknown as Tokens, refresh };
  };

  // First, while the fake clock still equals the real time: oauth4webapi checks exp/iat against it.
  it('jwtAccessTokens: RFC 9068 access tokens that work at /v1/agents and introspect as active', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    clock.set(Date.now()); // the JWT is also checked by a library that reads the real time
    const { app, first, refresh, creds } = await start(s, { jwtAccessTokens: true });
    expect(first.refresh_token).toMatch(/^rt_/);
    expect(decodeProtectedHeader(first.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256', kid: expect.any(String) });
    const claims = decodeJwt(first.access_token);
    expect(claims).toMatchObject({ iss: s.url, aud: s.url, client_id: app.client.id, scope: 'read write', jti: expect.any(String) });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(await agentsStatus(s, first.access_token)).toBe(200);

    const issuer = new URL(s.url);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }));
    const request = new Request(`${s.url}/v1/agents`, { headers: { Authorization: `Bearer ${first.access_token}` } });
    const validated = await oauth.validateJwtAccessToken(as, request, s.url, { [oauth.allowInsecureRequests]: true });
    expect(validated.client_id).toBe(app.client.id);
    expect(validated.sub).toBe(claims.sub);

    const intro = await oauthPost(s, '/oauth/introspect', { token: first.access_token, ...creds });
    expect(intro.body).toMatchObject({ active: true, client_id: app.client.id, sub: claims.sub, scope: 'read write', token_type: 'Bearer' });

    const next = await refresh(first.refresh_token);
    expect(next.res.status).toBe(200);
    expect(decodeProtectedHeader(String(next.body.access_token)).typ).toBe('at+jwt');
    expect(next.body.refresh_token).toMatch(/^rt_/);

    // JWTs are self-contained: they expire rather than being looked up.
    clock.advance(HOUR + 1000);
    expect(await agentsStatus(s, String(next.body.access_token))).toBe(401);
  });

  it('rotates on every use; a reused refresh token is invalid_grant and revokes the whole grant at once (strict rotation)', async (ctx) => {
    if (!server) return ctx.skip();
    const { first, refresh } = await start(server, { refreshGraceSeconds: 0 });
    const r2 = await refresh(first.refresh_token);
    expect(r2.res.status).toBe(200);
    const second = r2.body as unknown as Tokens;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const r3 = await refresh(second.refresh_token);
    const third = r3.body as unknown as Tokens;
    expect(await agentsStatus(server, third.access_token)).toBe(200);

    expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant');
    // Theft is assumed: the newest tokens of the grant stop working too, immediately.
    expect(await agentsStatus(server, third.access_token)).toBe(401);
    expect(await agentsStatus(server, first.access_token)).toBe(401);
    expectOAuthError(await refresh(third.refresh_token), 400, 'invalid_grant');
  });

  it('narrows scope on request (the next refresh keeps the original scope) and refuses widening with invalid_scope', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const { app, first, refresh } = await start(s, { scopes: ['read', 'write', 'delete'] });
    expect(first.scope).toBe('read write');

    expectOAuthError(await refresh(first.refresh_token, { scope: 'read write delete' }), 400, 'invalid_scope');
    expectOAuthError(await refresh(first.refresh_token, { scope: 'admin' }), 400, 'invalid_scope');
    // A refused widening does not consume the token.
    const narrow = await refresh(first.refresh_token, { scope: 'read' });
    expect(narrow.res.status).toBe(200);
    const narrowed = narrow.body as unknown as Tokens;
    expect(narrowed.scope).toBe('read');
    expect(await agentsStatus(s, narrowed.access_token)).toBe(200);
    const write = await fetch(`${s.url}/v1/agents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${narrowed.access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'nope' }),
    });
    expect(write.status).toBe(403);
    const intro = await oauthPost(s, '/oauth/introspect', { token: narrowed.refresh_token, client_id: app.client.id, client_secret: app.secret! });
    expect(intro.body).toMatchObject({ active: true, scope: 'read write' });

    const later = await refresh(narrowed.refresh_token);
    expect(later.body.scope).toBe('read write');
    const full = later.body as unknown as Tokens;
    const created = await fetch(`${s.url}/v1/agents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${full.access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'yes' }),
    });
    expect(created.status).toBe(201);
  });

  it('the default reuse window (30 s, nothing configured): a replay inside it returns the same successor; after it, the grant is revoked', async (ctx) => {
    if (!server) return ctx.skip();
    const { app, first, refresh } = await start(server);
    expect(app.client.refreshGraceSeconds).toBe(30);
    const rotated = (await refresh(first.refresh_token)).body as unknown as Tokens;

    // The response was lost; the client retries with the token it still holds, twice.
    clock.advance(29_000);
    for (const attempt of [1, 2]) {
      const replay = await refresh(first.refresh_token);
      expect(replay.res.status, `replay ${attempt}: ${JSON.stringify(replay.body)}`).toBe(200);
      expect(replay.body.refresh_token).toBe(rotated.refresh_token);
      expect(await agentsStatus(server, String(replay.body.access_token))).toBe(200);
    }
    expect(await agentsStatus(server, rotated.access_token)).toBe(200);

    // Past the window a replay is theft: the whole grant goes.
    clock.advance(2_000);
    expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant');
    expect(await agentsStatus(server, rotated.access_token)).toBe(401);
    expectOAuthError(await refresh(rotated.refresh_token), 400, 'invalid_grant');
  });

  it('with refreshGraceSeconds: 120, a replay within the window returns the same successor; after it, the grant is revoked', async (ctx) => {
    if (!server) return ctx.skip();
    const { first, refresh } = await start(server, { refreshGraceSeconds: 120 });
    const rotated = (await refresh(first.refresh_token)).body as unknown as Tokens;

    clock.advance(100_000);
    const replay = await refresh(first.refresh_token);
    expect(replay.res.status).toBe(200);
    expect(replay.body.refresh_token).toBe(rotated.refresh_token);
    expect(replay.body.access_token).not.toBe(rotated.access_token);
    expect(await agentsStatus(server, String(replay.body.access_token))).toBe(200);
    expect(await agentsStatus(server, rotated.access_token)).toBe(200);

    clock.advance(21_000);
    expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant');
    expect(await agentsStatus(server, rotated.access_token)).toBe(401);
    expect(await agentsStatus(server, String(replay.body.access_token))).toBe(401);
    expectOAuthError(await refresh(rotated.refresh_token), 400, 'invalid_grant');
  });

  it('with refreshGraceSeconds: 0 (strict rotation), even an immediate replay revokes', async (ctx) => {
    if (!server) return ctx.skip();
    const { first, refresh } = await start(server, { refreshGraceSeconds: 0 });
    const rotated = (await refresh(first.refresh_token)).body as unknown as Tokens;
    expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant');
    expectOAuthError(await refresh(rotated.refresh_token), 400, 'invalid_grant');
  });

  it('idle expiry: a refresh token unused for longer than GATEHOUSE_REFRESH_TOKEN_IDLE_SECONDS is dead', async (ctx) => {
    if (!server) return ctx.skip();
    const { first, refresh } = await start(server);
    clock.advance(IDLE_SECONDS * 1000 - 1000);
    const kept = await refresh(first.refresh_token);
    expect(kept.res.status).toBe(200);
    clock.advance(IDLE_SECONDS * 1000 + 1000);
    // The access token (3600 s) has expired as well.
    expect(await agentsStatus(server, String(kept.body.access_token))).toBe(401);
    expectOAuthError(await refresh(String(kept.body.refresh_token)), 400, 'invalid_grant');
  });

  it('absolute expiry: regular use does not extend the chain past GATEHOUSE_REFRESH_TOKEN_TTL_SECONDS', async (ctx) => {
    if (!server) return ctx.skip();
    const { first, refresh } = await start(server);
    let token = first.refresh_token;
    for (let i = 1; i <= 3; i++) {
      clock.advance(2700 * 1000);
      const r = await refresh(token);
      expect(r.res.status, `refresh at ${i * 2700} s`).toBe(200);
      token = String(r.body.refresh_token);
    }
    // At 8100 s the newest token was issued; idle alone would allow it until 11700 s, but the
    // chain ends 10800 s after the grant started.
    clock.advance(2700 * 1000 + 1000);
    expectOAuthError(await refresh(token), 400, 'invalid_grant');
  });

  it('a refresh without refresh_token is invalid_request (RFC 6749 §5.2: a missing required parameter)', async (ctx) => {
    if (!server) return ctx.skip();
    const { creds, first } = await start(server);
    expectOAuthError(await oauthPost(server, '/oauth/token', { grant_type: 'refresh_token', ...creds }), 400, 'invalid_request');
    // A present but unknown token is the grant's problem: invalid_grant.
    // One character changed (never to itself: a token may already end in the replacement).
    const unknown = `${first.refresh_token.slice(0, -1)}${first.refresh_token.endsWith('x') ? 'y' : 'x'}`;
    expectOAuthError(await oauthPost(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: unknown, ...creds }), 400, 'invalid_grant');
  });

  it("is bound to its client: another app's credentials get invalid_grant and the grant survives", async (ctx) => {
    if (!server) return ctx.skip();
    const { first, refresh } = await start(server);
    const other = await registerApp(server, 'confidential');
    const stolen = await oauthPost(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: other.client.id, client_secret: other.secret! });
    expectOAuthError(stolen, 400, 'invalid_grant');
    expect(await agentsStatus(server, first.access_token)).toBe(200);
    const own = await refresh(first.refresh_token);
    expect(own.res.status).toBe(200);
  });
});
