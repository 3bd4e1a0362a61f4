/**
 * Forged and broken JWTs at GET /v1/agents (RFC 8725): every one is a 401 with
 * `WWW-Authenticate: Bearer … error="invalid_token"`. A control token, built by the same code
 * with the server's real signing key and correct claims, is accepted: each forgery differs from
 * it in the one way its name says.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, type JWK, type JWTHeaderParameters, type JWTPayload, type KeyObject, SignJWT, UnsecuredJWT, exportSPKI, generateKeyPair, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { call, expectApiError, obj } from '../helpers/http.js';
import { type TestServer, seedKey, seedUser, useServer } from '../helpers/server.js';

const ISSUER = 'https://auth.example.test';
type Key = CryptoKey | KeyObject | Uint8Array;

interface Fixtures {
  /** A real token from POST /v0/auth (scope `read`). */
  issued: string;
  kid: string;
  /** The server's own signing key, as the server holds it. */
  privateKey: Key;
  publicJwk: JWK;
  claims(overrides?: Record<string, unknown>, drop?: string): JWTPayload;
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const segments = (token: string) => token.split('.') as [string, string, string];
const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

function sign(payload: JWTPayload, header: JWTHeaderParameters, key: Key): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}
const real = (f: Fixtures, payload: JWTPayload, header: Partial<JWTHeaderParameters> = {}) =>
  sign(payload, { alg: 'ES256', typ: 'at+jwt', kid: f.kid, ...header }, f.privateKey);

const FORGERIES: Record<string, (f: Fixtures) => Promise<string>> = {
  'alg none, built by hand with the real kid': async (f) => `${b64({ alg: 'none', typ: 'at+jwt', kid: f.kid })}.${b64(f.claims())}.`,
  'alg none, UnsecuredJWT': async (f) => new UnsecuredJWT(f.claims()).encode(),
  'the issued token re-labelled alg none, signature dropped': async (f) => {
    const [h, p] = segments(f.issued);
    return `${b64({ ...decode(h), alg: 'none' })}.${p}.`;
  },
  'HS256 keyed with the public key PEM (algorithm confusion)': async (f) => {
    const pem = await exportSPKI((await importJWK(f.publicJwk, 'ES256')) as CryptoKey);
    return sign(f.claims(), { alg: 'HS256', typ: 'at+jwt', kid: f.kid }, new TextEncoder().encode(pem));
  },
  'HS256 keyed with the public JWK JSON (algorithm confusion)': async (f) =>
    sign(f.claims(), { alg: 'HS256', typ: 'at+jwt', kid: f.kid }, new TextEncoder().encode(JSON.stringify(f.publicJwk))),
  'a valid signature by an unknown key with a made-up kid': async (f) => {
    const { privateKey } = await generateKeyPair('ES256');
    return sign(f.claims(), { alg: 'ES256', typ: 'at+jwt', kid: 'made-up-kid' }, privateKey);
  },
  'a valid signature by an unknown key with the real kid': async (f) => {
    const { privateKey } = await generateKeyPair('ES256');
    return sign(f.claims(), { alg: 'ES256', typ: 'at+jwt', kid: f.kid }, privateKey);
  },
  'header alg EdDSA (signed by an Ed25519 key) naming the ES256 kid': async (f) => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    return sign(f.claims(), { alg: 'EdDSA', typ: 'at+jwt', kid: f.kid }, privateKey);
  },
  'the issued token with its header alg changed to EdDSA': async (f) => {
    const [h, p, s] = segments(f.issued);
    return `${b64({ ...decode(h), alg: 'EdDSA' })}.${p}.${s}`;
  },
  'no kid in the header': async (f) => sign(f.claims(), { alg: 'ES256', typ: 'at+jwt' }, f.privateKey),
  'wrong aud': async (f) => real(f, f.claims({ aud: 'https://someone-else.example' })),
  'wrong iss': async (f) => real(f, f.claims({ iss: 'https://evil.example' })),
  'typ JWT': async (f) => real(f, f.claims(), { typ: 'JWT' }),
  'no typ': async (f) => sign(f.claims(), { alg: 'ES256', kid: f.kid }, f.privateKey),
  expired: async (f) => {
    const now = Math.floor(Date.now() / 1000);
    return real(f, f.claims({ iat: now - 1000, exp: now - 100 }));
  },
  'not yet valid (nbf an hour ahead)': async (f) => real(f, f.claims({ nbf: Math.floor(Date.now() / 1000) + 3600 })),
  'tampered payload: scope widened, signature kept': async (f) => {
    const [h, p, s] = segments(f.issued);
    return `${h}.${b64({ ...decode(p), scope: 'read write delete admin' })}.${s}`;
  },
  'tampered payload: sub changed, signature kept': async (f) => {
    const [h, p, s] = segments(f.issued);
    return `${h}.${b64({ ...decode(p), sub: 'usr_someoneelse' })}.${s}`;
  },
  'signature of another issued token': async (f) => `${segments(f.issued).slice(0, 2).join('.')}.${segments(await real(f, f.claims()))[2]}`,
  'missing exp': async (f) => real(f, f.claims({}, 'exp')),
  'missing iat': async (f) => real(f, f.claims({}, 'iat')),
  'missing sub': async (f) => real(f, f.claims({}, 'sub')),
  'missing client_id': async (f) => real(f, f.claims({}, 'client_id')),
  'missing scope': async (f) => real(f, f.claims({}, 'scope')),
  'missing jti': async (f) => real(f, f.claims({}, 'jti')),
  'missing aud': async (f) => real(f, f.claims({}, 'aud')),
  'scope is not a string': async (f) => real(f, f.claims({ scope: ['read'] })),
  'garbage: a word': async () => 'garbage',
  'garbage: three dots': async () => 'a.b.c',
  'garbage: only a header': async () => b64({ alg: 'ES256', typ: 'at+jwt' }),
  'garbage: header and payload that are not JSON': async () => `${b64('not json')}.${b64('nor this')}.${b64('sig')}`,
  'garbage: the issued token truncated': async (f) => f.issued.slice(0, -10),
  'garbage: the issued token with a fourth segment': async (f) => `${f.issued}.${b64('x')}`,
  'garbage: an sk_-less random string': async () => randomUUID().replace(/-/g, ''),
};

describe.each(BACKENDS)('forged JWTs at GET /v1/agents on $name', (backend) => {
  let fixtures: Fixtures;

  const getServer = useServer(backend, { env: { GATEHOUSE_ISSUER: ISSUER } }, async (server) => {
    const user = await seedUser(server);
    const { key, secret } = await seedKey(server, user, ['read']);
    const r = await call(server.url, 'POST', '/v0/auth', { json: { key_id: key.id, key_secret: secret, scopes: ['read'] } });
    expect(r.res.status, r.text).toBe(200);
    const signer = await server.runtime.keyset.signer();
    const jwks = obj(await call(server.url, 'GET', '/.well-known/jwks.json')).keys as JWK[];
    const publicJwk = jwks.find((k) => k.kid === signer.kid);
    if (!publicJwk) throw new Error('the signing key is not in the JWKS');
    fixtures = {
      issued: obj(r).access_token as string,
      kid: signer.kid,
      privateKey: signer.key,
      publicJwk,
      claims(overrides = {}, drop) {
        const now = Math.floor(Date.now() / 1000);
        const c: Record<string, unknown> = { iss: ISSUER, sub: user.id, aud: ISSUER, client_id: key.id, scope: 'read', iat: now, exp: now + 900, jti: randomUUID(), ...overrides };
        if (drop) delete c[drop];
        return c as JWTPayload;
      },
    };
  });

  const agents = (s: TestServer, token: string) => call(s.url, 'GET', '/v1/agents', { token });

  it('control: the issued token and one built here with the real key and correct claims are accepted', async (ctx) => {
    const server = getServer(ctx);
    expect((await agents(server, fixtures.issued)).res.status).toBe(200);
    const built = await agents(server, await real(fixtures, fixtures.claims()));
    expect(built.res.status, built.text).toBe(200);
    expect(built.body).toEqual({ data: [] });
  });

  it.for(Object.keys(FORGERIES))('%s → 401 invalid_token', async (name, ctx) => {
    const server = getServer(ctx);
    const token = await FORGERIES[name]!(fixtures);
    const r = await call(server.url, 'GET', '/v1/agents', { headers: { Authorization: `Bearer ${token}` } });
    const body = expectApiError(r, 401);
    expect(r.res.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    expect(r.text).not.toContain('"data"');
    expect(body.detail).not.toMatch(/stack|jose|JWS|JWT[A-Z]/);
  });
});
