/**
 * The server's own JWT access tokens (src/core/jwt.ts) on a real Keyset over SQLite with a fake
 * clock, for both signing algorithms: what `issueAccessToken` writes (and that jose's `jwtVerify`
 * accepts it against the published JWKS), that tokens from jose's `SignJWT` with the server key
 * verify, and that every forged or broken token is the one `unauthenticated` error with the
 * generic detail — never a TypeError, never the token in the message.
 */
import { type JsonWebKey, KeyObject, createHmac, createPublicKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { type JWK, SignJWT, createLocalJWKSet, jwtVerify } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { GatehouseError } from '../../src/core/errors.js';
import { INVALID_TOKEN_DETAIL, JWT_TYP, issueAccessToken, verifyAccessToken } from '../../src/core/jwt.js';
import { JwtMemo } from '../../src/core/jwt-memo.js';
import { Keyset } from '../../src/core/keyset.js';
import { SecretBox } from '../../src/core/secret-box.js';
import type { SigningAlg } from '../../src/core/signing-keys.js';
import { sqlite } from '../helpers/backends.js';
import { systemActor } from '../helpers/server.js';
import { useStore } from '../helpers/store.js';

const ISSUER = 'https://auth.example.test';
const who = { issuer: ISSUER, audience: ISSUER };
const TTL = 900;
const encodeSegment = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');
const json = (v: unknown) => encodeSegment(JSON.stringify(v));

/** What a forger with the real signing key could send: any header, signed as is. */
function signJws(header: Record<string, unknown>, payload: Record<string, unknown>, key: unknown): string {
  const privateKey = key instanceof KeyObject ? key : KeyObject.from(key as CryptoKey);
  const input = `${json(header)}.${json(payload)}`;
  const signature = header.alg === 'ES256' ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }) : sign(null, Buffer.from(input), privateKey);
  return `${input}.${encodeSegment(signature)}`;
}
const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

describe.each(['ES256', 'EdDSA'] as const)('JWT access tokens signed with %s', (alg: SigningAlg) => {
  const getStore = useStore(sqlite, { each: true });
  let clock: FakeClock;
  let keyset: Keyset;

  beforeEach(async (test) => {
    const store = getStore(test);
    clock = new FakeClock();
    const ctx = { store, clock };
    keyset = new Keyset(ctx, new SecretBox('a-server-secret-that-is-long-enough-0123456789'), { alg, maxTokenTtlMs: TTL * 1000, refreshMs: 10_000 });
    await keyset.init(systemActor);
  });

  const issue = () => issueAccessToken(keyset, clock, { ...who, subject: 'usr_1', clientId: 'key_1', scopes: ['read', 'write'], ttlSeconds: TTL });
  const now = () => Math.floor(clock.now() / 1000);
  const claims = (overrides: Record<string, unknown> = {}, drop?: string) => {
    const c: Record<string, unknown> = { iss: ISSUER, sub: 'usr_1', aud: ISSUER, client_id: 'key_1', scope: 'read', iat: now(), exp: now() + TTL, jti: randomUUID(), ...overrides };
    if (drop) delete c[drop];
    return c;
  };
  /** Signed by jose with the server's own private key. */
  const joseSigned = async (payload: Record<string, unknown> = claims(), header: Record<string, unknown> = {}) => {
    const signer = await keyset.signer();
    return new SignJWT(payload).setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: JWT_TYP, ...header }).sign(signer.key);
  };
  async function expectRefused(token: string): Promise<void> {
    let error: unknown;
    try {
      await verifyAccessToken(keyset, clock, token, who);
    } catch (err) {
      error = err;
    }
    expect(error, 'the token was accepted').toBeInstanceOf(GatehouseError);
    expect((error as GatehouseError).code).toBe('unauthenticated');
    expect((error as GatehouseError).detail).toBe(INVALID_TOKEN_DETAIL);
    if (token) expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(token);
  }

  it('issues the RFC 9068 header and claims, and verifies them', async () => {
    const token = await issue();
    const [h, p, s] = token.split('.') as [string, string, string];
    const signer = await keyset.signer();
    expect(decode(h)).toEqual({ alg, kid: signer.kid, typ: 'at+jwt' });
    const payload = decode(p);
    expect(Object.keys(payload)).toEqual(['client_id', 'scope', 'iss', 'sub', 'aud', 'iat', 'exp', 'jti']);
    expect(payload).toMatchObject({ client_id: 'key_1', scope: 'read write', iss: ISSUER, sub: 'usr_1', aud: ISSUER, iat: now(), exp: now() + TTL });
    expect(Buffer.from(s, 'base64url').length).toBe(64);
    await expect(verifyAccessToken(keyset, clock, token, who)).resolves.toEqual(payload);
  });

  it('tokens it issues verify with jose against the published JWKS; tokens jose signs with its key verify here', async () => {
    const token = await issue();
    const { payload } = await jwtVerify(token, createLocalJWKSet(keyset.jwks() as { keys: JWK[] }), {
      ...who,
      typ: JWT_TYP,
      algorithms: [alg],
      currentDate: new Date(clock.now()),
      requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'scope', 'jti'],
    });
    expect(payload).toMatchObject({ sub: 'usr_1', scope: 'read write' });
    await expect(verifyAccessToken(keyset, clock, await joseSigned(), who)).resolves.toMatchObject({ sub: 'usr_1', scope: 'read' });
    await expect(verifyAccessToken(keyset, clock, await joseSigned(claims(), { typ: 'application/at+jwt' }), who)).resolves.toMatchObject({ sub: 'usr_1' });
  });

  it('exp: valid up to the second before it, refused from it on; nbf in the future is refused', async () => {
    const token = await issue();
    clock.advance(TTL * 1000 - 1);
    await expect(verifyAccessToken(keyset, clock, token, who)).resolves.toMatchObject({ sub: 'usr_1' });
    clock.advance(1);
    await expectRefused(token);
    clock.advance(-TTL * 1000);
    await expectRefused(await joseSigned(claims({ nbf: now() + 1 })));
    await expect(verifyAccessToken(keyset, clock, await joseSigned(claims({ nbf: now() })), who)).resolves.toMatchObject({ sub: 'usr_1' });
  });

  it('a remembered token is still refused once expired', async () => {
    const memo = new JwtMemo();
    const token = await issue();
    await expect(verifyAccessToken(keyset, clock, token, who, memo)).resolves.toMatchObject({ sub: 'usr_1' });
    await expect(verifyAccessToken(keyset, clock, token, who, memo)).resolves.toMatchObject({ sub: 'usr_1' });
    clock.advance(TTL * 1000);
    await expect(verifyAccessToken(keyset, clock, token, who, memo)).rejects.toMatchObject({ code: 'unauthenticated', detail: INVALID_TOKEN_DETAIL });
  });

  const forgeries: Record<string, (issued: string, kid: string, publicJwk: JWK) => string | Promise<string>> = {
    'alg none with the real kid': (_, kid) => `${json({ alg: 'none', typ: JWT_TYP, kid })}.${json(claims())}.`,
    'the issued token relabelled alg none': (t) => {
      const [h, p] = t.split('.') as [string, string];
      return `${json({ ...decode(h), alg: 'none' })}.${p}.`;
    },
    'HS256 keyed with the public key PEM': (_, kid, jwk) => {
      const input = `${json({ alg: 'HS256', typ: JWT_TYP, kid })}.${json(claims())}`;
      const pem = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      return `${input}.${encodeSegment(createHmac('sha256', pem).update(input).digest())}`;
    },
    'HS256 keyed with the public JWK JSON': async (_, kid, jwk) =>
      new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: JWT_TYP, kid }).sign(new TextEncoder().encode(JSON.stringify(jwk))),
    'the other algorithm in the header, signature kept': (t) => {
      const [h, p, s] = t.split('.') as [string, string, string];
      return `${json({ ...decode(h), alg: alg === 'ES256' ? 'EdDSA' : 'ES256' })}.${p}.${s}`;
    },
    'signed by the other algorithm’s key, naming the real kid': async (_, kid) => {
      const other = alg === 'ES256' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return new SignJWT(claims()).setProtectedHeader({ alg: alg === 'ES256' ? 'EdDSA' : 'ES256', typ: JWT_TYP, kid }).sign(other.privateKey);
    },
    'signed by a stranger’s key of the same algorithm, naming the real kid': async (_, kid) => {
      const other = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
      return new SignJWT(claims()).setProtectedHeader({ alg, typ: JWT_TYP, kid }).sign(other.privateKey);
    },
    'unknown kid': async () => joseSigned(claims(), { kid: 'made-up-kid' }),
    'no kid': async () => joseSigned(claims(), { kid: undefined }),
    'typ JWT': async () => joseSigned(claims(), { typ: 'JWT' }),
    'no typ': async () => joseSigned(claims(), { typ: undefined }),
    'crit and b64 false, properly signed': async (_, kid) => signJws({ alg, kid, typ: JWT_TYP, b64: false, crit: ['b64'] }, claims(), (await keyset.signer()).key),
    'crit naming an unknown extension, properly signed': async (_, kid) => signJws({ alg, kid, typ: JWT_TYP, crit: ['exp'], exp: 1 }, claims(), (await keyset.signer()).key),
    // The key is always ours, looked up by kid: a header pointing elsewhere never chooses it.
    'a stranger’s key with the real kid and a jku to the stranger’s JWKS': async (_, kid) => {
      const other = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
      return new SignJWT(claims()).setProtectedHeader({ alg, typ: JWT_TYP, kid, jku: 'https://evil.example/jwks' }).sign(other.privateKey);
    },
    'a stranger’s key embedded as jwk, with the real kid': async (_, kid) => {
      const other = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
      const jwk = other.publicKey.export({ format: 'jwk' }) as JWK;
      return new SignJWT(claims()).setProtectedHeader({ alg, typ: JWT_TYP, kid, jwk }).sign(other.privateKey);
    },
    'wrong iss': async () => joseSigned(claims({ iss: 'https://evil.example' })),
    'wrong aud': async () => joseSigned(claims({ aud: 'https://other.example' })),
    'aud array without the audience': async () => joseSigned(claims({ aud: ['https://other.example'] })),
    'expired': async () => joseSigned(claims({ exp: now() - 1 })),
    'missing exp': async () => joseSigned(claims({}, 'exp')),
    'missing iat': async () => joseSigned(claims({}, 'iat')),
    'missing scope (the server always issues it)': async () => joseSigned(claims({}, 'scope')),
    'missing jti': async () => joseSigned(claims({}, 'jti')),
    'scope not a string': async () => joseSigned(claims({ scope: ['read'] })),
    'sub not a string': async () => joseSigned(claims({ sub: 7 })),
    'tampered payload, signature kept': (t) => {
      const [h, p, s] = t.split('.') as [string, string, string];
      return `${h}.${json({ ...decode(p), scope: 'admin' })}.${s}`;
    },
    'DER-encoded signature (ES256) or a 65-byte one (EdDSA)': (t) => {
      const [h, p, s] = t.split('.') as [string, string, string];
      const raw = Buffer.from(s, 'base64url');
      if (alg === 'EdDSA') return `${h}.${p}.${encodeSegment(Buffer.concat([raw, Buffer.from([0])]))}`;
      const int = (b: Buffer) => {
        const trimmed = b.subarray(b.findIndex((x) => x !== 0));
        return trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
      };
      const r = int(raw.subarray(0, 32));
      const sv = int(raw.subarray(32));
      const body = Buffer.concat([Buffer.from([2, r.length]), r, Buffer.from([2, sv.length]), sv]);
      return `${h}.${p}.${encodeSegment(Buffer.concat([Buffer.from([0x30, body.length]), body]))}`;
    },
    'four segments': (t) => `${t}.${t.split('.')[2]}`,
    'header not JSON': (t) => `${encodeSegment('{"alg":')}.${t.split('.').slice(1).join('.')}`,
    'header a JSON array': (t) => `${json(['ES256'])}.${t.split('.').slice(1).join('.')}`,
    'garbage': () => 'garbage',
    'empty': () => '',
    'dots': () => '..',
  };

  it.for(Object.keys(forgeries))('%s → unauthenticated, the generic detail', async (name) => {
    const issued = await issue();
    const signer = await keyset.signer();
    const publicJwk = keyset.jwks().keys.find((k) => k.kid === signer.kid)!;
    const token = await forgeries[name]!(issued, signer.kid, publicJwk);
    expect(token).not.toBe(issued);
    await expectRefused(token);
  });
});
