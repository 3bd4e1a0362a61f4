/**
 * One suite, run once per adapter (hono, express, fastify, node:http): a real Gatehouse
 * server issues credentials, a tiny resource server on loopback is protected by the library,
 * and every case goes over real HTTP — valid JWT (`/v0/auth` and OAuth JWT access token),
 * valid `sk_` key and `at_` token (introspection), no/malformed credentials, expired JWT,
 * wrong audience, revoked key and token (after the cache TTL), insufficient scope, JWKS
 * rotation, and an unreachable issuer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { revokeKey } from '../../src/core/keys.js';
import { type VerifierOptions, createVerifier, protectedResourceMetadata } from '@gatehouse/verify';
import { sqlite } from '../helpers/backends.js';
import { systemActor } from '../helpers/server.js';
import type { Adapter, ResourceServer } from './resource-servers.js';
import { type Issuer, ShiftedClock, apiKey, clientCredentialsToken, exchangeJwt, jwtHeader, recordingFetch, revokeToken, useIssuer } from './support.js';

const REALM = 'test-api';
const RESOURCE = 'https://api.example.com';
const METADATA_URL = `${RESOURCE}/.well-known/oauth-protected-resource`;

interface Reply {
  status: number;
  www: string | null;
  body: Record<string, unknown>;
}

async function send(rs: ResourceServer, method: string, path: string, authorization?: string): Promise<Reply> {
  const res = await fetch(`${rs.url}${path}`, { method, headers: authorization === undefined ? {} : { Authorization: authorization } });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, www: res.headers.get('www-authenticate'), body: JSON.parse(text) as Record<string, unknown> };
}

const bearer = (token: string) => `Bearer ${token}`;

function expectInvalidToken(r: Reply): void {
  expect(r.status, JSON.stringify(r.body)).toBe(401);
  expect(r.www).toMatch(new RegExp(`^Bearer realm="${REALM}", error="invalid_token", error_description="[^"]+", resource_metadata="${METADATA_URL}"$`));
  expect(r.body).toEqual({ detail: expect.any(String), status_code: 401, extra: {} });
}

export function describeAdapter(adapter: Adapter): void {
  describe(`gatehouse/verify under ${adapter.name}`, () => {
    // Short-lived /v0/auth JWTs, so "expired" is one minute ahead of the verifier's clock.
    const getIssuer = useIssuer(sqlite, { GATEHOUSE_JWT_TTL_SECONDS: '60' });
    const getOther = useIssuer(sqlite, { GATEHOUSE_AUDIENCE: 'https://other-api.example.com' });
    const open: ResourceServer[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((rs) => rs.close()));
    });

    /** A resource server trusting `iss` (by default the main issuer), with verifier options on top. */
    async function protect(overrides: Partial<VerifierOptions> = {}, iss: Issuer = getIssuer()) {
      const verifier = createVerifier({ issuer: iss.server.url, audience: iss.audience, introspection: iss.introspection, ...overrides });
      const metadata = protectedResourceMetadata({ resource: RESOURCE, authorizationServers: [iss.server.url], scopesSupported: ['read', 'write'] });
      const rs = await adapter.mount(verifier, { realm: REALM, resourceMetadata: METADATA_URL }, metadata);
      open.push(rs);
      return { rs, verifier };
    }

    it('answers 401 without an error code when no credential is sent, and serves the RFC 9728 metadata', async (ctx) => {
      const issuer = getIssuer(ctx);
      const { rs, verifier } = await protect();
      const r = await send(rs, 'GET', '/items');
      expect(r.status).toBe(401);
      expect(r.www).toBe(`Bearer realm="${REALM}", resource_metadata="${METADATA_URL}"`);
      expect(r.body).toEqual({ detail: 'Missing credentials: send "Authorization: Bearer <token>"', status_code: 401, extra: {} });
      const meta = await send(rs, 'GET', '/.well-known/oauth-protected-resource');
      expect(meta.body).toEqual({ resource: RESOURCE, authorization_servers: [issuer.server.url], scopes_supported: ['read', 'write'], bearer_methods_supported: ['header'] });
      // Nothing was asked of the issuer for a request without credentials.
      expect(verifier.stats()).toEqual({ jwksFetches: 0, introspections: 0 });
    });

    it('answers invalid_token for malformed Authorization headers and unknown credentials', async (ctx) => {
      const issuer = getIssuer(ctx);
      const { rs } = await protect();
      const { secret } = await apiKey(issuer, ['read']);
      for (const header of ['Basic YWxpY2U6cGFzc3dvcmQ=', 'Bearer', `Bearer ${secret} ${secret}`, `Token ${secret}`, 'Bearer sk_unknown0000000000000000000000000000000', 'Bearer a.b.c']) {
        const r = await send(rs, 'GET', '/items', header);
        expectInvalidToken(r);
        expect(JSON.stringify(r.body)).not.toContain(secret);
        expect(r.www).not.toContain(secret);
      }
      const malformed = await send(rs, 'GET', '/items', `Token ${secret}`);
      expect(malformed.www).toBe(`Bearer realm="${REALM}", error="invalid_token", error_description="Authorization header must be 'Bearer <token>'", resource_metadata="${METADATA_URL}"`);
      expect(malformed.body).toEqual({ detail: 'Authorization header must be "Bearer <token>"', status_code: 401, extra: {} });
    });

    it('accepts a /v0/auth JWT offline, fetching the JWKS once', async (ctx) => {
      const issuer = getIssuer(ctx);
      const { rs, verifier } = await protect();
      const { token, keyId } = await exchangeJwt(issuer, ['read', 'write']);
      for (const [method, status] of [['GET', 200], ['POST', 201], ['GET', 200]] as const) {
        const r = await send(rs, method, '/items', bearer(token));
        expect(r.status, JSON.stringify(r.body)).toBe(status);
        expect(r.body.credential).toEqual({ kind: 'jwt', subject: issuer.user.id, scopes: ['read', 'write'], clientId: keyId, expiresAt: expect.any(Number) });
      }
      const { expiresAt } = (await send(rs, 'GET', '/items', bearer(token))).body.credential as { expiresAt: number };
      expect(expiresAt).toBeGreaterThan(Date.now() + 50_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
      expect(verifier.stats()).toEqual({ jwksFetches: 1, introspections: 0 });
    });

    it("accepts an OAuth app's JWT access token offline", async (ctx) => {
      const issuer = getIssuer(ctx);
      const { rs, verifier } = await protect();
      const token = await clientCredentialsToken(issuer, issuer.jwtApp, 'read');
      expect(jwtHeader(token).typ).toBe('at+jwt');
      const r = await send(rs, 'GET', '/items', bearer(token));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.credential).toMatchObject({ kind: 'jwt', subject: issuer.user.id, scopes: ['read'], clientId: issuer.jwtApp.id });
      expect(verifier.stats().introspections).toBe(0);
    });

    it('accepts an sk_ API key and an at_ token by introspection, cached between calls', async (ctx) => {
      const issuer = getIssuer(ctx);
      const { rs, verifier } = await protect();
      const key = await apiKey(issuer, ['read', 'write']);
      for (let i = 0; i < 3; i++) {
        const r = await send(rs, 'POST', '/items', bearer(key.secret));
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        expect(r.body.credential).toEqual({ kind: 'api_key', subject: issuer.user.id, scopes: ['read', 'write'], clientId: key.id });
      }
      const at = await clientCredentialsToken(issuer, issuer.opaqueApp, 'read write');
      expect(at).toMatch(/^at_/);
      for (let i = 0; i < 3; i++) {
        const r = await send(rs, 'GET', '/items', bearer(at));
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.body.credential).toEqual({ kind: 'oauth', subject: issuer.user.id, scopes: ['read', 'write'], clientId: issuer.opaqueApp.id, expiresAt: expect.any(Number) });
      }
      expect(verifier.stats()).toEqual({ jwksFetches: 0, introspections: 2 });
    });

    it('refuses an expired JWT, including one it accepted before', async (ctx) => {
      const issuer = getIssuer(ctx);
      const clock = new ShiftedClock();
      const { rs } = await protect({ now: clock.now });
      const { token } = await exchangeJwt(issuer, ['read']);
      expect((await send(rs, 'GET', '/items', bearer(token))).status).toBe(200);
      clock.advance(61_000);
      expectInvalidToken(await send(rs, 'GET', '/items', bearer(token)));

      // A verifier whose clock is already past `exp` never accepts it.
      const late = await protect({ now: () => Date.now() + 61_000 });
      const { token: fresh } = await exchangeJwt(issuer, ['read']);
      expectInvalidToken(await send(late.rs, 'GET', '/items', bearer(fresh)));
    });

    it('refuses JWTs and at_ tokens minted for another audience', async (ctx) => {
      const issuer = getIssuer(ctx);
      const iss = getOther(ctx);
      expect(iss.audience).toBe('https://other-api.example.com');
      const { token } = await exchangeJwt(iss, ['read']);
      const at = await clientCredentialsToken(iss, iss.opaqueApp, 'read');
      const wrong = await protect({ audience: 'https://api.example.com' }, iss);
      expectInvalidToken(await send(wrong.rs, 'GET', '/items', bearer(token)));
      expectInvalidToken(await send(wrong.rs, 'GET', '/items', bearer(at)));
      // The same credentials pass where the audience is theirs.
      const right = await protect({ audience: 'https://other-api.example.com' }, iss);
      expect((await send(right.rs, 'GET', '/items', bearer(token))).status).toBe(200);
      expect((await send(right.rs, 'GET', '/items', bearer(at))).status).toBe(200);
      // API keys carry no audience: any resource server trusting their issuer accepts them.
      expect((await send(wrong.rs, 'GET', '/items', bearer((await apiKey(iss, ['read'])).secret))).status).toBe(200);
      // And nothing from one issuer passes at a resource server trusting the other.
      expectInvalidToken(await send(right.rs, 'GET', '/items', bearer((await exchangeJwt(issuer, ['read'])).token)));
    });

    it('refuses a revoked key and a revoked token once the cache TTL has passed', async (ctx) => {
      const issuer = getIssuer(ctx);
      const clock = new ShiftedClock();
      const { rs, verifier } = await protect({ now: clock.now, cacheTtlMs: 1000 });
      const key = await apiKey(issuer, ['read']);
      const at = await clientCredentialsToken(issuer, issuer.opaqueApp, 'read');
      expect((await send(rs, 'GET', '/items', bearer(key.secret))).status).toBe(200);
      expect((await send(rs, 'GET', '/items', bearer(at))).status).toBe(200);
      await revokeKey(issuer.server.runtime, { ...systemActor, user: issuer.user }, key.id);
      await revokeToken(issuer, issuer.opaqueApp, at);
      // Within the TTL the cached answer still stands: this is the documented bound.
      expect((await send(rs, 'GET', '/items', bearer(key.secret))).status).toBe(200);
      expect(verifier.stats().introspections).toBe(2);
      clock.advance(1001);
      expectInvalidToken(await send(rs, 'GET', '/items', bearer(key.secret)));
      expectInvalidToken(await send(rs, 'GET', '/items', bearer(at)));
      expect(verifier.stats().introspections).toBe(4);
    });

    it('answers 403 insufficient_scope naming the missing scope, for every credential kind', async (ctx) => {
      const issuer = getIssuer(ctx);
      const { rs } = await protect();
      const key = await apiKey(issuer, ['read']);
      const credentials = [key.secret, (await exchangeJwt(issuer, ['read'])).token, await clientCredentialsToken(issuer, issuer.opaqueApp, 'read')];
      for (const token of credentials) {
        const r = await send(rs, 'POST', '/items', bearer(token));
        expect(r.status, JSON.stringify(r.body)).toBe(403);
        expect(r.www).toBe(`Bearer realm="${REALM}", error="insufficient_scope", scope="write", resource_metadata="${METADATA_URL}"`);
        expect(r.body).toEqual({ detail: 'Missing required scope: write', status_code: 403, extra: { required_scopes: ['write'] } });
        // authenticate + requireScopes chained on one route.
        const admin = await send(rs, 'GET', '/admin', bearer(token));
        expect(admin.status).toBe(403);
        expect(admin.www).toContain('error="insufficient_scope", scope="admin"');
        expect((await send(rs, 'GET', '/items', bearer(token))).status).toBe(200);
      }
      const admin = await apiKey(issuer, ['admin']);
      expect((await send(rs, 'GET', '/admin', bearer(admin.secret))).status).toBe(200);
    });

    it('verifies a token signed by a rotated-in key after exactly one JWKS refetch', async (ctx) => {
      const issuer = getIssuer(ctx);
      const clock = new ShiftedClock();
      const { fetch: recorded, urls } = recordingFetch();
      const { rs, verifier } = await protect({ now: clock.now, fetch: recorded });
      const before = await exchangeJwt(issuer, ['read']);
      expect((await send(rs, 'GET', '/items', bearer(before.token))).status).toBe(200);
      expect(verifier.stats().jwksFetches).toBe(1);

      await issuer.server.runtime.keyset.rotate(systemActor, 0);
      const after = await exchangeJwt(issuer, ['read']);
      expect(jwtHeader(after.token).kid).not.toBe(jwtHeader(before.token).kid);
      clock.advance(5_000); // the refetch cooldown
      expect((await send(rs, 'GET', '/items', bearer(after.token))).status).toBe(200);
      expect(verifier.stats().jwksFetches).toBe(2);
      expect(urls.filter((u) => u.endsWith('/.well-known/jwks.json'))).toHaveLength(2);
      expect(urls.filter((u) => u.endsWith('/.well-known/oauth-authorization-server'))).toHaveLength(1);

      // Both keys now verify without fetching again; an unknown kid cannot force a refetch.
      expect((await send(rs, 'GET', '/items', bearer(before.token))).status).toBe(200);
      expect((await send(rs, 'GET', '/items', bearer((await exchangeJwt(issuer, ['read'])).token))).status).toBe(200);
      const [, payload, signature] = after.token.split('.');
      const forgedHeader = Buffer.from(JSON.stringify({ ...jwtHeader(after.token), kid: 'no-such-key' })).toString('base64url');
      expectInvalidToken(await send(rs, 'GET', '/items', bearer(`${forgedHeader}.${payload}.${signature}`)));
      expect(verifier.stats().jwksFetches).toBe(2);
    });

    it("leaves unexpected failures to the framework's error handling (500)", async (ctx) => {
      const issuer = getIssuer(ctx);
      const broken = { verify: async (): Promise<never> => Promise.reject(new Error('boom')) };
      const metadata = protectedResourceMetadata({ resource: RESOURCE, authorizationServers: [issuer.server.url] });
      const rs = await adapter.mount(broken, { realm: REALM }, metadata);
      open.push(rs);
      const res = await fetch(`${rs.url}/items`, { headers: { Authorization: 'Bearer sk_anything' } });
      expect(res.status).toBe(500);
      expect(res.headers.get('www-authenticate')).toBeNull();
      await res.arrayBuffer();
    });

    it('answers 503 (not 401) when the issuer cannot be reached', async (ctx) => {
      const issuer = getIssuer(ctx);
      const down = createVerifier({ issuer: 'http://127.0.0.1:9', audience: 'x', introspection: { clientId: 'a', clientSecret: 'b' } });
      const metadata = protectedResourceMetadata({ resource: RESOURCE, authorizationServers: ['http://127.0.0.1:9'] });
      const failures: string[] = [];
      const rs = await adapter.mount(down, { realm: REALM, onUnavailable: (err) => failures.push(err.message) }, metadata);
      open.push(rs);
      for (const token of [(await exchangeJwt(issuer, ['read'])).token, 'sk_anything']) {
        const r = await send(rs, 'GET', '/items', bearer(token));
        expect(r.status).toBe(503);
        expect(r.www).toBeNull();
        expect(r.body).toEqual({ detail: 'Cannot verify credentials right now; try again later', status_code: 503, extra: {} });
      }
      expect(failures).toHaveLength(2);
      expect(failures[0]).toContain('cannot reach http://127.0.0.1:9/.well-known/oauth-authorization-server');
    });
  });
}
