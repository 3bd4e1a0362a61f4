/**
 * Key-pair mode against a real server on both backends, with `GATEHOUSE_JWT_TTL_SECONDS=60`
 * and one FakeClock shared by the server and the SDK: the JWT from `POST /v0/auth` is cached,
 * renewed before it expires (and after, when time jumped past expiry), renewed once when the
 * server rejects it, and 50 concurrent calls cause exactly one `/v0/auth` request.
 */
import { describe, expect, it } from 'vitest';
import { Gatehouse, GatehouseApiError } from '@gatehouse/client';
import { FakeClock } from '../../src/core/clock.js';
import { revokeKey } from '../../src/core/keys.js';
import { BACKENDS } from '../helpers/backends.js';
import { type TestServer, seedKey, seedUser, systemActor, useServer } from '../helpers/server.js';
import { recordingFetch, requestCount } from './support.js';

const agentsStatus = async (server: TestServer, token: string) => (await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${token}` } })).status;
const claims = (jwt: string) => JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;

describe.each(BACKENDS)('gatehouse/client with a key pair on $name', (backend) => {
  const clock = new FakeClock();
  const getServer = useServer(backend, { clock, env: { GATEHOUSE_JWT_TTL_SECONDS: '60' } });
  const auths = () => requestCount(getServer(), 'POST', '/v0/auth');
  const keyPair = async (scopes = ['read', 'write']) => {
    const server = getServer();
    const { key, secret } = await seedKey(server, await seedUser(server), scopes);
    return { keyId: key.id, keySecret: secret };
  };

  it('obtains a JWT once, caches it, and renews it before and across expiry', async (ctx) => {
    const server = getServer(ctx);
    const gh = new Gatehouse({ baseUrl: server.url, keyPair: { ...(await keyPair()), scopes: ['read'] }, now: () => clock.now() });
    const before = auths();
    expect(await gh.json('/v1/agents')).toEqual({ data: [] });
    const first = await gh.accessToken();
    expect(claims(first)).toMatchObject({ scope: 'read', iss: server.url });
    expect(auths() - before).toBe(1);

    clock.advance(20_000);
    expect((await gh.fetch('/v1/agents')).status).toBe(200);
    expect(await gh.accessToken()).toBe(first);
    expect(auths() - before).toBe(1);

    // 31 s into a 60 s token: renewed ahead of time (default lead 30 s, at most half the lifetime).
    clock.advance(11_000);
    expect((await gh.fetch('/v1/agents')).status).toBe(200);
    const second = await gh.accessToken();
    expect(second).not.toBe(first);
    expect(auths() - before).toBe(2);
    expect(await agentsStatus(server, first)).toBe(200); // the old one had not expired yet

    // Time jumps past expiry: the server refuses the cached token, the SDK asks for a new one first.
    clock.advance(61_000);
    expect(await agentsStatus(server, second)).toBe(401);
    expect((await gh.fetch('/v1/agents')).status).toBe(200);
    expect(auths() - before).toBe(3);
  });

  it('50 concurrent calls cause exactly one /v0/auth request', async (ctx) => {
    const server = getServer(ctx);
    const gh = new Gatehouse({ baseUrl: server.url, keyPair: { ...(await keyPair()), scopes: ['read'] }, now: () => clock.now() });
    const before = auths();
    const agentsBefore = requestCount(server, 'GET', '/v1/agents');
    const results = await Promise.all(Array.from({ length: 50 }, () => gh.json('/v1/agents')));
    expect(results).toEqual(Array(50).fill({ data: [] }));
    expect(auths() - before).toBe(1);
    expect(requestCount(server, 'GET', '/v1/agents') - agentsBefore).toBe(50);

    // After expiry, another burst renews once.
    clock.advance(61_000);
    await Promise.all(Array.from({ length: 50 }, () => gh.json('/v1/agents')));
    expect(auths() - before).toBe(2);
  });

  it('renews once when the server rejects a token the SDK still thinks valid (401 invalid_token)', async (ctx) => {
    const server = getServer(ctx);
    // The SDK's clock stands still while the server's moves past expiry.
    const sdkClock = new FakeClock(clock.now());
    const gh = new Gatehouse({ baseUrl: server.url, keyPair: { ...(await keyPair()), scopes: ['read'] }, now: () => sdkClock.now() });
    const before = auths();
    const first = await gh.accessToken();
    clock.advance(61_000);
    const agentsBefore = requestCount(server, 'GET', '/v1/agents');
    const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await gh.fetch('/v1/agents')).status));
    expect(statuses).toEqual(Array(20).fill(200));
    expect(await gh.accessToken()).not.toBe(first);
    expect(auths() - before).toBe(2);
    expect(requestCount(server, 'GET', '/v1/agents') - agentsBefore).toBe(40); // each call: one 401, one retry
  });

  it('keeps using a still-valid token when a renewal is throttled, but not when the key is revoked', async (ctx) => {
    const server = getServer(ctx);
    const owner = await seedUser(server);
    const { key, secret } = await seedKey(server, owner, ['read']);
    const gh = new Gatehouse({ baseUrl: server.url, keyPair: { keyId: key.id, keySecret: secret, scopes: ['read'] }, now: () => clock.now() });
    const first = await gh.accessToken();
    for (let i = 0; i < 10; i++) {
      await fetch(`${server.url}/v0/auth`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key_id: key.id, key_secret: 'sk_000000000000000000000000000000000000', scopes: ['read'] }) });
    }
    clock.advance(31_000); // inside the renewal lead; the key_id is throttled for 5 minutes
    const before = auths();
    expect((await gh.fetch('/v1/agents')).status).toBe(200);
    expect(auths() - before).toBe(1); // the renewal was tried, answered 429 (Retry-After 300 s > 10 s cap)
    expect(await gh.accessToken()).toBe(first);

    // Past expiry there is nothing to fall back on: the 429 surfaces.
    clock.advance(30_000);
    await expect(gh.fetch('/v1/agents')).rejects.toMatchObject({ status: 429, retryAfter: expect.any(Number) });

    // A revoked key is refused at once, even while the cached token would still be accepted.
    const other = await seedKey(server, owner, ['read']);
    const gh2 = new Gatehouse({ baseUrl: server.url, keyPair: { keyId: other.key.id, keySecret: other.secret, scopes: ['read'] }, now: () => clock.now() });
    const cached = await gh2.accessToken();
    await revokeKey(server.runtime, { ...systemActor, user: owner }, other.key.id);
    clock.advance(31_000);
    expect(await agentsStatus(server, cached)).toBe(200);
    await expect(gh2.fetch('/v1/agents')).rejects.toMatchObject({ status: 401, detail: 'Invalid key_id or key_secret' });
  });

  it('exchanges at the issuer when Gatehouse is not at the API\'s base URL', async (ctx) => {
    const server = getServer(ctx);
    const sent: Parameters<typeof recordingFetch>[0] = [];
    const api = server.url.replace('127.0.0.1', 'localhost'); // the same server under a second name
    const gh = new Gatehouse({ baseUrl: api, issuer: server.url, keyPair: { ...(await keyPair()), scopes: ['read'] }, fetch: recordingFetch(sent), now: () => clock.now() });
    expect(await gh.json('/v1/agents')).toEqual({ data: [] });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([`POST ${server.url}/v0/auth`, `GET ${api}/v1/agents`]);
  });

  it('surfaces /v0/auth failures as GatehouseApiError (401 bad secret, 403 scope not allowed)', async (ctx) => {
    const server = getServer(ctx);
    const pair = await keyPair(['read']);
    const wrong = new Gatehouse({ baseUrl: server.url, keyPair: { keyId: pair.keyId, keySecret: 'sk_000000000000000000000000000000000000', scopes: ['read'] } });
    const unauthorized = (await wrong.json('/v1/agents').catch((e: unknown) => e)) as GatehouseApiError;
    expect(unauthorized).toBeInstanceOf(GatehouseApiError);
    expect(unauthorized).toMatchObject({ status: 401, detail: 'Invalid key_id or key_secret', extra: {} });

    const greedy = new Gatehouse({ baseUrl: server.url, keyPair: { ...pair, scopes: ['read', 'admin'] } });
    const refused = (await greedy.fetch('/v1/agents').catch((e: unknown) => e)) as GatehouseApiError;
    expect(refused).toBeInstanceOf(GatehouseApiError);
    expect(refused.status).toBe(403);
    expect(refused.extra).toMatchObject({ refused_scopes: ['admin'] });
  });
});
