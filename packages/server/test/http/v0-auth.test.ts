/**
 * POST /v0/auth, the key-pair exchange, held to the public document it serves (seed 003): its
 * cURL and fetch examples verbatim (host aside), the RFC 9068 JWT they return, every documented
 * error (and that a refused exchange changes nothing), throttling, configuration, expiry, and
 * verification by an independent resource server through the JWKS.
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { issueSecret } from '../../src/core/credentials.js';
import { revokeKey } from '../../src/core/keys.js';
import { BACKENDS } from '../helpers/backends.js';
import { type CallResult, call, expectApiError, obj } from '../helpers/http.js';
import { type TestServer, seedKey, seedUser, systemActor, useServer } from '../helpers/server.js';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://api.example.test';
const SCOPES = JSON.stringify({ read: 'Read', write: 'Write', 'interhumanai.upload': 'Upload', 'interhumanai.stream': 'Stream' });
const ENV = { GATEHOUSE_ISSUER: ISSUER, GATEHOUSE_SCOPES: SCOPES };
const NO_ORACLE = 'Invalid key_id or key_secret';

const exchange = (s: TestServer, body: unknown, headers: Record<string, string> = {}) => call(s.url, 'POST', '/v0/auth', { json: body, headers });
const agents = (s: TestServer, token: string) => call(s.url, 'GET', '/v1/agents', { token });

async function tokenFor(s: TestServer, body: { key_id: string; key_secret: string; scopes: string[] }): Promise<string> {
  const r = await exchange(s, body);
  expect(r.res.status, r.text).toBe(200);
  return obj(r).access_token as string;
}

/** What a refused exchange must leave untouched: the audit log and the keys (last-used aside). */
async function state(s: TestServer) {
  await s.runtime.usage.flush();
  const store = s.runtime.store;
  return { audit: await store.audit.list({ limit: 1000 }), keys: (await store.apiKeys.list({})).map((k) => ({ ...k, lastUsedAt: null })) };
}

async function refused(s: TestServer, status: number, send: () => Promise<CallResult>) {
  const before = await state(s);
  const r = await send();
  const body = expectApiError(r, status);
  expect(r.text).not.toMatch(/access_token|eyJ/);
  expect(await state(s)).toEqual(before);
  return body;
}

describe.each(BACKENDS)('POST /v0/auth on $name', (backend) => {
  const getServer = useServer(backend, { env: ENV });

  async function pair(s: TestServer, scopes = ['interhumanai.upload', 'read']) {
    const user = await seedUser(s);
    const { key, secret } = await seedKey(s, user, scopes);
    return { user, key, secret };
  }

  function checkSeedResponse(res: Response, json: Record<string, unknown>, scope: string) {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(json).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(json.token_type).toBe('Bearer');
    expect(json.expires_in).toBe(900);
    expect(json.scope).toBe(scope);
    expect(json.access_token).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
  }

  it("the seed's cURL request: the same headers and the same JSON body", async (ctx) => {
    const server = getServer(ctx);
    const { user, key, secret } = await pair(server);
    const res = await fetch(`${server.url}/v0/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: `{\n"key_id": "${key.id}",\n"key_secret": "${secret}",\n"scopes": ["interhumanai.upload"]\n}`,
    });
    const json = (await res.json()) as Record<string, unknown>;
    checkSeedResponse(res, json, 'interhumanai.upload');

    const token = json.access_token as string;
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    const jwks = obj(await call(server.url, 'GET', '/.well-known/jwks.json')).keys as { kid: string }[];
    expect(jwks.map((k) => k.kid)).toContain(header.kid);

    const claims = decodeJwt(token);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']);
    expect(claims).toMatchObject({ iss: ISSUER, sub: user.id, aud: ISSUER, client_id: key.id, scope: 'interhumanai.upload' });
    expect(Math.abs((claims.iat ?? 0) - Date.now() / 1000)).toBeLessThan(120);
    expect(claims.exp).toBe((claims.iat ?? 0) + 900);
    expect(claims.jti).toMatch(/^[\w-]{16,}$/);
  });

  it("the seed's JavaScript fetch example, twice: each token has its own jti", async (ctx) => {
    const server = getServer(ctx);
    const { key, secret } = await pair(server);
    const jtis: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.url}/v0/auth`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          key_id: key.id,
          key_secret: secret,
          scopes: ['interhumanai.upload'],
        }),
      });
      const json = (await response.json()) as Record<string, unknown>;
      checkSeedResponse(response, json, 'interhumanai.upload');
      jtis.push(decodeJwt(json.access_token as string).jti);
    }
    expect(new Set(jtis).size).toBe(2);
  });

  it('grants exactly the scopes asked for, space-separated, and /v1 honours them', async (ctx) => {
    const server = getServer(ctx);
    const { key, secret } = await pair(server);
    const both = await exchange(server, { key_id: key.id, key_secret: secret, scopes: ['read', 'interhumanai.upload', 'read'] });
    expect(obj(both).scope).toBe('read interhumanai.upload');
    expect(decodeJwt(obj(both).access_token as string).scope).toBe('read interhumanai.upload');

    const read = await agents(server, obj(both).access_token as string);
    expect(read.res.status, read.text).toBe(200);
    expect(read.body).toEqual({ data: [] });

    const uploadOnly = await tokenFor(server, { key_id: key.id, key_secret: secret, scopes: ['interhumanai.upload'] });
    const lacking = await agents(server, uploadOnly);
    expect(expectApiError(lacking, 403).extra).toEqual({ required_scopes: ['read'] });
    expect(lacking.res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('422 for a body that does not match the schema, with the field in extra.errors', async (ctx) => {
    const server = getServer(ctx);
    const s = server;
    const { key, secret } = await pair(s);
    const fields = async (body: unknown) => {
      const err = await refused(s, 422, () => exchange(s, body));
      const errors = err.extra.errors as { field: string; message: string }[];
      expect(errors.length).toBeGreaterThan(0);
      return { err, errors };
    };
    expect((await fields({ key_id: key.id, key_secret: secret })).errors.map((e) => e.field)).toContain('scopes');
    expect((await fields({ key_id: key.id, scopes: ['read'] })).errors.map((e) => e.field)).toContain('key_secret');
    expect((await fields({ key_id: 42, key_secret: secret, scopes: ['read'] })).errors.map((e) => e.field)).toContain('key_id');
    expect((await fields({ key_id: key.id, key_secret: secret, scopes: 'read' })).errors.map((e) => e.field)).toContain('scopes');
    expect((await fields({ key_id: key.id, key_secret: secret, scopes: [7] })).errors.map((e) => e.field)).toContain('scopes.0');

    const empty = await fields({ key_id: key.id, key_secret: secret, scopes: [] });
    expect(empty.errors.find((e) => e.field === 'scopes')?.message).toContain('at least one scope must be provided');
    expect(empty.err.detail).toContain('at least one scope must be provided');

    const unknownField = await fields({ key_id: key.id, key_secret: secret, scopes: ['read'], grant_type: 'x' });
    expect(JSON.stringify(unknownField.err)).toContain('grant_type');
  });

  it('400 for a body that is not JSON, whatever the Content-Type says', async (ctx) => {
    const server = getServer(ctx);
    const s = server;
    const { key, secret } = await pair(s);
    const valid = JSON.stringify({ key_id: key.id, key_secret: secret, scopes: ['read'] });
    const send = (body: string | Uint8Array, headers: Record<string, string>) => () => call(s.url, 'POST', '/v0/auth', { body, headers });
    await refused(s, 400, send(valid, { 'Content-Type': 'text/plain' }));
    await refused(s, 400, send('{"key_id": "x", ', { 'Content-Type': 'application/json' }));
    await refused(s, 400, send('', { 'Content-Type': 'application/json' }));
    // A byte body gets no Content-Type from fetch.
    await refused(s, 400, send(new TextEncoder().encode(valid), {}));
  });

  it('400 naming an unknown scope, checked before the credentials', async (ctx) => {
    const server = getServer(ctx);
    const s = server;
    const { key } = await pair(s);
    const err = await refused(s, 400, () => exchange(s, { key_id: key.id, key_secret: 'sk_wrong', scopes: ['read', 'interhumanai.teleport'] }));
    expect(err.detail).toContain('interhumanai.teleport');
    expect(err.extra).toEqual({ unknown_scopes: ['interhumanai.teleport'] });
  });

  it('401 with one and the same detail for every credential failure (no oracle)', async (ctx) => {
    const server = getServer(ctx);
    const s = server;
    const { key, secret } = await pair(s);
    const other = await pair(s);
    const revoked = await pair(s);
    await revokeKey(s.runtime, { ...systemActor, user: revoked.user }, revoked.key.id);
    const attempts = [
      { key_id: 'key_doesnotexist000000', key_secret: secret, scopes: ['read'] },
      { key_id: key.id, key_secret: issueSecret('sk_').secret, scopes: ['read'] },
      { key_id: key.id, key_secret: 'sk_short', scopes: ['read'] },
      { key_id: key.id, key_secret: other.secret, scopes: ['read'] },
      { key_id: revoked.key.id, key_secret: revoked.secret, scopes: ['read'] },
    ];
    for (const body of attempts) {
      const err = await refused(s, 401, () => exchange(s, body));
      expect(err).toEqual({ detail: NO_ORACLE, status_code: 401, extra: {} });
    }
    // The right pair still works: the failures above were about the pairs, not the key.
    expect((await exchange(s, { key_id: key.id, key_secret: secret, scopes: ['read'] })).res.status).toBe(200);
  });

  it('403 when the key may not have a requested scope, listing refused_scopes; never narrowed', async (ctx) => {
    const server = getServer(ctx);
    const s = server;
    const { key, secret } = await pair(s, ['read']);
    const err = await refused(s, 403, () => exchange(s, { key_id: key.id, key_secret: secret, scopes: ['read', 'write', 'interhumanai.stream'] }));
    expect(err.extra.refused_scopes).toEqual(['write', 'interhumanai.stream']);
    expect(err.detail).toContain('write');
  });

  it('an independent resource server verifies the token through the JWKS', async (ctx) => {
    const server = getServer(ctx);
    const { user, key, secret } = await pair(server);
    const token = await tokenFor(server, { key_id: key.id, key_secret: secret, scopes: ['read'] });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: ISSUER, typ: 'at+jwt', algorithms: ['ES256'] });
    expect(payload).toMatchObject({ sub: user.id, client_id: key.id, scope: 'read' });
    expect(protectedHeader.alg).toBe('ES256');
    await expect(jwtVerify(token, jwks, { issuer: ISSUER, audience: 'https://someone-else.example' })).rejects.toThrow();

    const res = await call(server.url, 'GET', '/.well-known/jwks.json');
    expect(res.res.status).toBe(200);
    expect(res.res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const keys = obj(res).keys as Record<string, unknown>[];
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(priv);
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
    }
  });
});

describe.each(BACKENDS)('POST /v0/auth with a fake clock on $name', (backend) => {
  const clock = new FakeClock();
  const getServer = useServer(backend, { clock, env: { ...ENV, GATEHOUSE_TRUST_PROXY: 'true' } });

  const pair = async (s: TestServer, expiresAt: number | null = null) => seedKey(s, await seedUser(s), ['read'], expiresAt);

  it('the JWT works until exp and is refused (401 invalid_token) after it', async (ctx) => {
    const server = getServer(ctx);
    const { key, secret } = await pair(server);
    const token = await tokenFor(server, { key_id: key.id, key_secret: secret, scopes: ['read'] });
    const { iat, exp } = decodeJwt(token);
    expect(iat).toBe(Math.floor(clock.now() / 1000));
    expect((await agents(server, token)).res.status).toBe(200);
    clock.set((exp! - 1) * 1000);
    expect((await agents(server, token)).res.status).toBe(200);
    clock.advance(2000);
    const late = await agents(server, token);
    expectApiError(late, 401);
    expect(late.res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('401 with the same detail for an expired key', async (ctx) => {
    const server = getServer(ctx);
    const s = server;
    const { key, secret } = await pair(s, clock.now() + 3_600_000);
    expect((await exchange(s, { key_id: key.id, key_secret: secret, scopes: ['read'] })).res.status).toBe(200);
    clock.advance(3_600_001);
    const err = await refused(s, 401, () => exchange(s, { key_id: key.id, key_secret: secret, scopes: ['read'] }));
    expect(err).toEqual({ detail: NO_ORACLE, status_code: 401, extra: {} });
  });

  it('429 with Retry-After after repeated failures for one key_id; even the right secret waits', async (ctx) => {
    const server = getServer(ctx);
    const s = server;
    const { key, secret } = await pair(s);
    const bystander = await pair(s);
    const wrong = { key_id: key.id, key_secret: issueSecret('sk_').secret, scopes: ['read'] };
    let failures = 0;
    let last = await exchange(s, wrong);
    while (last.res.status === 401 && failures < 100) {
      failures++;
      last = await exchange(s, wrong);
    }
    expect(failures).toBeGreaterThanOrEqual(3);
    const body = expectApiError(last, 429);
    const retryAfter = Number(last.res.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600).toBe(true);
    expect(body.extra.retry_after).toBe(retryAfter);

    const right = { key_id: key.id, key_secret: secret, scopes: ['read'] };
    expectApiError(await exchange(s, right), 429);
    // Another key from the same address is not locked out by this key's failures.
    expect((await exchange(s, { key_id: bystander.key.id, key_secret: bystander.secret, scopes: ['read'] })).res.status).toBe(200);
    clock.advance(retryAfter * 1000 - 1500);
    expectApiError(await exchange(s, right), 429);
    clock.advance(2000);
    expect((await exchange(s, right)).res.status).toBe(200);
  });

  it('429 per IP address after many failures across key_ids; another address is unaffected', async (ctx) => {
    const server = getServer(ctx);
    const s = server;
    const { key, secret } = await pair(s);
    const from = (ip: string) => ({ 'X-Forwarded-For': ip });
    let failures = 0;
    let last: CallResult | undefined;
    for (; failures < 500; failures++) {
      last = await exchange(s, { key_id: `key_probe${failures}`, key_secret: issueSecret('sk_').secret, scopes: ['read'] }, from('198.51.100.7'));
      if (last.res.status !== 401) break;
    }
    expect(failures).toBeGreaterThan(10);
    expectApiError(last!, 429);
    expect(Number(last!.res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expectApiError(await exchange(s, { key_id: key.id, key_secret: secret, scopes: ['read'] }, from('198.51.100.7')), 429);
    expect((await exchange(s, { key_id: key.id, key_secret: secret, scopes: ['read'] }, from('198.51.100.8'))).res.status).toBe(200);
  });
});

describe.each(BACKENDS)('POST /v0/auth configured (TTL 120 s, EdDSA, own audience) on $name', (backend) => {
  const getServer = useServer(backend, { env: { ...ENV, GATEHOUSE_JWT_TTL_SECONDS: '120', GATEHOUSE_SIGNING_ALG: 'EdDSA', GATEHOUSE_AUDIENCE: AUDIENCE } });

  it('expires_in and exp follow GATEHOUSE_JWT_TTL_SECONDS; alg is EdDSA; aud is GATEHOUSE_AUDIENCE; it verifies', async (ctx) => {
    const server = getServer(ctx);
    const { key, secret } = await seedKey(server, await seedUser(server), ['read']);
    const r = await exchange(server, { key_id: key.id, key_secret: secret, scopes: ['read'] });
    expect(r.res.status, r.text).toBe(200);
    expect(obj(r).expires_in).toBe(120);
    const token = obj(r).access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims.exp).toBe((claims.iat ?? 0) + 120);
    expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE });

    expect((await agents(server, token)).res.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { protectedHeader } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', algorithms: ['EdDSA'] });
    expect(protectedHeader.alg).toBe('EdDSA');
    const keys = obj(await call(server.url, 'GET', '/.well-known/jwks.json')).keys as Record<string, unknown>[];
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
      expect(k).not.toHaveProperty('d');
    }
  });
});
