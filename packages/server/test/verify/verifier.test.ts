/**
 * createVerifier against a real Gatehouse server, without any framework: each credential kind
 * on both storage backends, then the security checks of the JWT path (typ, iss, claims,
 * algorithm allow-list), caching and single-flight of the issuer's answers, key-set changes,
 * refresh tokens, and misconfiguration surfacing as "unavailable" rather than 401.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { approve } from '../../src/core/oauth/authorize.js';
import {
  VerifierUnavailableError,
  VerifyError,
  type VerifierOptions,
  createVerifier,
} from '@gatehouse/verify';
import { BACKENDS, sqlite } from '../helpers/backends.js';
import { type Issuer, ShiftedClock, apiKey, clientCredentialsToken, exchangeJwt, tamper, useIssuer } from './support.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe.each(BACKENDS)('createVerifier against Gatehouse on $name', (backend) => {
  const getIssuer = useIssuer(backend);

  it('verifies each credential kind into the same credential shape', async (ctx) => {
    const issuer = getIssuer(ctx);
    const verifier = createVerifier({ issuer: issuer.server.url, audience: issuer.audience, introspection: issuer.introspection });
    const key = await apiKey(issuer, ['read', 'write']);
    const jwt = await exchangeJwt(issuer, ['read'], key);
    const at = await clientCredentialsToken(issuer, issuer.opaqueApp, 'write');
    const jat = await clientCredentialsToken(issuer, issuer.jwtApp, 'read write');
    expect(await verifier.verify(key.secret)).toEqual({ kind: 'api_key', subject: issuer.user.id, scopes: ['read', 'write'], clientId: key.id });
    expect(await verifier.verify(jwt.token)).toEqual({ kind: 'jwt', subject: issuer.user.id, scopes: ['read'], clientId: key.id, expiresAt: expect.any(Number) });
    expect(await verifier.verify(at)).toEqual({ kind: 'oauth', subject: issuer.user.id, scopes: ['write'], clientId: issuer.opaqueApp.id, expiresAt: expect.any(Number) });
    expect(await verifier.verify(jat)).toEqual({ kind: 'jwt', subject: issuer.user.id, scopes: ['read', 'write'], clientId: issuer.jwtApp.id, expiresAt: expect.any(Number) });
    for (const bad of [tamper(key.secret), tamper(at), tamper(jwt.token), tamper(jat)]) {
      const err = await rejection(verifier.verify(bad));
      expect(err).toBeInstanceOf(VerifyError);
      expect(err).toMatchObject({ status: 401, error: 'invalid_token' });
    }
  });
});

describe('createVerifier details', () => {
  const getIssuer = useIssuer(sqlite);
  const getEddsa = useIssuer(sqlite, { GATEHOUSE_SIGNING_ALG: 'EdDSA' });
  const make = (overrides: Partial<VerifierOptions> = {}, iss: Issuer = getIssuer()) =>
    createVerifier({ issuer: iss.server.url, audience: iss.audience, introspection: iss.introspection, ...overrides });

  /** A JWT signed with the server's real current key, with claims and header of our choosing. */
  async function signed(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    const issuer = getIssuer();
    const signer = await issuer.server.runtime.keyset.signer();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: issuer.user.id, client_id: 'key_x', scope: 'read', jti: 'j1', iss: issuer.server.url, aud: issuer.audience, iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt', ...header })
      .sign(signer.key);
  }

  it('checks typ, iss, aud, exp and the RFC 9068 claims of JWTs signed with the real key', async () => {
    const verifier = make();
    expect(await verifier.verify(await signed({}))).toMatchObject({ kind: 'jwt', clientId: 'key_x' });
    const bad = [
      await signed({}, { typ: 'JWT' }),
      await signed({ iss: 'https://evil.example' }),
      await signed({ aud: 'https://other.example' }),
      await signed({ exp: Math.floor(Date.now() / 1000) - 1 }),
      await signed({ client_id: undefined }),
      await signed({ sub: undefined }),
      await signed({ jti: undefined }),
      await signed({ scope: 42 }),
    ];
    for (const token of bad) expect(await rejection(verifier.verify(token))).toMatchObject({ status: 401, error: 'invalid_token' });
  });

  it('refuses alg "none" and algorithms outside the allow-list', async (ctx) => {
    const eddsa = getEddsa(ctx);
    const valid = await signed({});
    const [, payload] = valid.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    const verifier = make();
    expect(await rejection(verifier.verify(none))).toBeInstanceOf(VerifyError);
    expect(await rejection(verifier.verify(`${none}AAAA`))).toBeInstanceOf(VerifyError);

    const edToken = (await exchangeJwt(eddsa, ['read'])).token;
    expect(JSON.parse(Buffer.from(edToken.split('.')[0]!, 'base64url').toString()).alg).toBe('EdDSA');
    expect(await make({}, eddsa).verify(edToken)).toMatchObject({ kind: 'jwt' });
    const es256Only = make({ algorithms: ['ES256'] }, eddsa);
    expect(await rejection(es256Only.verify(edToken))).toMatchObject({ status: 401 });
    expect(() => make({ algorithms: ['HS256' as 'ES256'] })).toThrow(TypeError);
  });

  it('shares one issuer request among concurrent checks of the same credential', async (ctx) => {
    const issuer = getIssuer(ctx);
    const verifier = make();
    const key = await apiKey(issuer, ['read']);
    const jwt = await exchangeJwt(issuer, ['read']);
    const results = await Promise.all([...Array.from({ length: 25 }, () => verifier.verify(key.secret)), ...Array.from({ length: 25 }, () => verifier.verify(jwt.token))]);
    expect(results.map((r) => r.kind)).toEqual([...Array(25).fill('api_key'), ...Array(25).fill('jwt')]);
    expect(verifier.stats()).toEqual({ jwksFetches: 1, introspections: 1 });
  });

  it('asks again after cacheTtlMs, and not before', async (ctx) => {
    const issuer = getIssuer(ctx);
    const clock = new FakeClock(Date.now());
    const verifier = make({ now: () => clock.now(), cacheTtlMs: 5000 });
    const key = await apiKey(issuer, ['read']);
    await verifier.verify(key.secret);
    clock.advance(4999);
    await verifier.verify(key.secret);
    expect(verifier.stats().introspections).toBe(1);
    clock.advance(1);
    await verifier.verify(key.secret);
    expect(verifier.stats().introspections).toBe(2);
    // "No" answers are reused too.
    const unknown = `sk_${'0'.repeat(36)}`;
    await rejection(verifier.verify(unknown));
    await rejection(verifier.verify(unknown));
    expect(verifier.stats().introspections).toBe(3);
    const uncached = make({ cacheTtlMs: 0 });
    await uncached.verify(key.secret);
    await uncached.verify(key.secret);
    expect(uncached.stats().introspections).toBe(2);
  });

  it('never reuses a cached answer past the credential\'s own expiry', async (ctx) => {
    const issuer = getIssuer(ctx);
    const clock = new FakeClock(Date.now());
    const verifier = make({ now: () => clock.now(), cacheTtlMs: 10 * 3600_000 });
    const at = await clientCredentialsToken(issuer, issuer.opaqueApp, 'read');
    const { expiresAt } = await verifier.verify(at);
    expect(expiresAt).toBeGreaterThan(clock.now());
    clock.set(expiresAt!);
    expect(await rejection(verifier.verify(at))).toMatchObject({ status: 401, error: 'invalid_token' });
    expect(verifier.stats().introspections).toBe(1);
  });

  it('drops remembered JWTs when their key leaves the published set, and keeps stale keys when a refetch fails', async (ctx) => {
    const issuer = getIssuer(ctx);
    const clock = new ShiftedClock();
    let jwks: 'real' | 'empty' | 'down' = 'real';
    const fetchFn: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/.well-known/jwks.json') && jwks === 'empty') return Response.json({ keys: [] });
      if (url.endsWith('/.well-known/jwks.json') && jwks === 'down') return new Response('unavailable', { status: 503 });
      return fetch(input, init);
    };
    const verifier = make({ now: clock.now, fetch: fetchFn });
    const first = (await exchangeJwt(issuer, ['read'])).token;
    await verifier.verify(first);

    jwks = 'down';
    clock.advance(300_000); // past the JWKS max-age: a refetch is attempted and fails
    expect(await verifier.verify((await exchangeJwt(issuer, ['read'])).token)).toMatchObject({ kind: 'jwt' });
    expect(verifier.stats().jwksFetches).toBe(2);

    jwks = 'empty';
    clock.advance(300_000);
    expect(await rejection(verifier.verify(first))).toMatchObject({ status: 401 });
    expect(verifier.stats().jwksFetches).toBe(3);
  });

  it('refuses refresh tokens: they are not credentials for calling an API', async (ctx) => {
    const issuer = getIssuer(ctx);
    const core = issuer.server.runtime;
    const client = (await core.store.oauth.clients.get(issuer.opaqueApp.id))!;
    const redirect = await approve(core, issuer.user, { client, redirectUri: client.redirectUris[0]!, scopes: ['read'], state: null, codeChallenge: null }, issuer.server.url);
    const code = new URL(redirect).searchParams.get('code')!;
    const res = await fetch(`${issuer.server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${issuer.opaqueApp.id}:${issuer.opaqueApp.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUris[0]! }),
    });
    const tokens = (await res.json()) as { access_token: string; refresh_token: string };
    expect(res.status).toBe(200);
    const verifier = make();
    expect(await verifier.verify(tokens.access_token)).toMatchObject({ kind: 'oauth', subject: issuer.user.id });
    expect(await rejection(verifier.verify(tokens.refresh_token))).toMatchObject({ status: 401, error: 'invalid_token' });
  });

  it('reports misconfiguration as unavailable, not as a bad credential', async (ctx) => {
    const issuer = getIssuer(ctx);
    const key = await apiKey(issuer, ['read']);
    const wrongSecret = make({ introspection: { clientId: issuer.introspection.clientId, clientSecret: 'cs_wrong' } });
    const err = await rejection(wrongSecret.verify(key.secret));
    expect(err).toBeInstanceOf(VerifierUnavailableError);
    expect((err as Error).message).toContain('answered 401');

    const trailingSlash = createVerifier({ issuer: `${issuer.server.url}/`, audience: issuer.audience });
    const mismatch = await rejection(trailingSlash.verify((await exchangeJwt(issuer, ['read'])).token));
    expect(mismatch).toBeInstanceOf(VerifierUnavailableError);
    expect((mismatch as Error).message).toContain('names issuer');

    const noIntrospection = createVerifier({ issuer: issuer.server.url, audience: issuer.audience });
    expect(await rejection(noIntrospection.verify(key.secret))).toMatchObject({ status: 401, detail: expect.stringContaining('introspection is not configured') });
    expect(() => createVerifier({ issuer: 'not a url', audience: 'x' })).toThrow(TypeError);
    expect(() => createVerifier({ issuer: issuer.server.url, audience: 'x', cacheTtlMs: -1 })).toThrow(TypeError);
  });

  it('refuses over-long tokens without asking the issuer', async () => {
    const verifier = make();
    expect(await rejection(verifier.verify(`sk_${'a'.repeat(9000)}`))).toMatchObject({ status: 401 });
    expect(verifier.stats()).toEqual({ jwksFetches: 0, introspections: 0 });
  });
});
