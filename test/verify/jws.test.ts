/**
 * The compact-JWS and claim checks on node:crypto (src/verify/jws.ts, src/verify/jwt-claims.ts),
 * with real keys and real signatures: every RFC 8725 rule they enforce, as units and through
 * `createVerifier` (its JWKS served from memory, memo off), where every refusal must be the same
 * `invalid_token` error and never anything else. Tokens signed here verify with jose's
 * `jwtVerify`, and tokens jose's `SignJWT` signs verify here.
 */
import { type KeyObject, createHmac, generateKeyPairSync, randomUUID, sign as rawSign } from 'node:crypto';
import { type JWK, SignJWT, exportJWK, generateKeyPair as joseKeyPair, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verify/index.js';
import { INVALID_JWT, JWT_TYP, looksLikeJwt } from '../../src/verify/jwt.js';
import { VerifyError } from '../../src/verify/errors.js';
import {
  type DecodedJws,
  type JwsAlg,
  decodeJsonSegment,
  decodeJws,
  decodeSegment,
  encodeSegment,
  importPublicJwk,
  keyAlg,
  signJws,
  verifyJws,
} from '../../src/verify/jws.js';
import { claimsHold, epochSeconds } from '../../src/verify/jwt-claims.js';

const ISSUER = 'https://id.example.test';
const AUDIENCE = 'https://api.example.test';
const NOW_MS = Date.UTC(2026, 0, 1, 12);
const NOW = epochSeconds(NOW_MS);
const ALGS: readonly JwsAlg[] = ['ES256', 'EdDSA'];
const DECODE = { algorithms: ALGS, typ: JWT_TYP };

interface TestKey {
  alg: JwsAlg;
  kid: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
  jwk: JWK;
}

function testKey(alg: JwsAlg, kid = `${alg}-${randomUUID()}`): TestKey {
  const { publicKey, privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return { alg, kid, publicKey, privateKey, jwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' } };
}
const KEYS: Record<JwsAlg, TestKey> = { ES256: testKey('ES256'), EdDSA: testKey('EdDSA') };
/** Keys nobody published. */
const STRANGERS: Record<JwsAlg, TestKey> = { ES256: testKey('ES256'), EdDSA: testKey('EdDSA') };

const claims = (overrides: Record<string, unknown> = {}, ...drop: string[]): Record<string, unknown> => {
  const c: Record<string, unknown> = { client_id: 'key_1', scope: 'read write', iss: ISSUER, sub: 'usr_1', aud: AUDIENCE, iat: NOW, exp: NOW + 900, jti: randomUUID(), ...overrides };
  for (const name of drop) delete c[name];
  return c;
};
const headerOf = (k: TestKey, overrides: Record<string, unknown> = {}) => ({ alg: k.alg, kid: k.kid, typ: JWT_TYP, ...overrides });

/** The raw signature of `input` with `k`'s private key (P1363 for ES256 unless `der`). */
function signature(k: TestKey, input: string, der = false): Buffer {
  const data = Buffer.from(input);
  return k.alg === 'ES256' ? rawSign('sha256', data, { key: k.privateKey, dsaEncoding: der ? 'der' : 'ieee-p1363' }) : rawSign(null, data, k.privateKey);
}
const json = (v: unknown) => encodeSegment(JSON.stringify(v));
/** A token built by hand: any header, any payload segment, a real signature by `k` over both. */
function signedRaw(k: TestKey, headerSegment: string, payloadSegment: string, der = false): string {
  const input = `${headerSegment}.${payloadSegment}`;
  return `${input}.${encodeSegment(signature(k, input, der))}`;
}
/** A correctly signed token with whatever header parameters and claims it is given. */
const token = (k: TestKey, header: Record<string, unknown> = {}, payload: Record<string, unknown> = claims()) =>
  signedRaw(k, json(headerOf(k, header)), json(payload));

/** Every check at once, as a caller does: decode, find the key by kid and alg, verify, claims. */
function accepts(t: string, keys: readonly TestKey[] = Object.values(KEYS), algorithms: readonly string[] = ALGS): boolean {
  const jws = decodeJws(t, { algorithms, typ: JWT_TYP });
  if (!jws) return false;
  const k = keys.find((x) => x.kid === jws.header.kid && x.alg === jws.header.alg);
  const payload = k ? verifyJws(jws, k.publicKey) : undefined;
  return payload !== undefined && claimsHold(payload, { issuer: ISSUER, audience: AUDIENCE, now: NOW, required: ['exp', 'iat', 'sub', 'client_id', 'jti'] });
}

/** createVerifier against an issuer served from memory, at NOW_MS, memo off. */
function offlineVerifier(keys: readonly JWK[] = Object.values(KEYS).map((k) => k.jwk), algorithms: readonly JwsAlg[] = ALGS) {
  const documents: Record<string, unknown> = {
    [`${ISSUER}/.well-known/oauth-authorization-server`]: { issuer: ISSUER, jwks_uri: `${ISSUER}/.well-known/jwks.json` },
    [`${ISSUER}/.well-known/jwks.json`]: { keys },
  };
  const fetch = async (input: string | URL | Request) => {
    const doc = documents[String(input instanceof Request ? input.url : input)];
    return doc ? Response.json(doc) : new Response('not found', { status: 404 });
  };
  return createVerifier({ issuer: ISSUER, audience: AUDIENCE, fetch, now: () => NOW_MS, jwtMemoSize: 0, algorithms });
}
const verifier = offlineVerifier();

/** The library's one refusal for a bad JWT: never another error, never the token in the message. */
async function expectRefused(t: string, v = verifier): Promise<void> {
  let error: unknown;
  try {
    await v.verify(t);
  } catch (err) {
    error = err;
  }
  expect(error, 'the token was accepted').toBeInstanceOf(VerifyError);
  const e = error as VerifyError;
  expect(e.error).toBe('invalid_token');
  expect(e.status).toBe(401);
  // Tokens that do not even look like a JWS take the opaque-token path, which has its own detail.
  if (looksLikeJwt(t)) expect(e.detail).toBe(INVALID_JWT);
  if (t.length > 0) expect(`${e.message} ${e.detail} ${e.stack}`).not.toContain(t);
}

describe('round trip on node:crypto', () => {
  it.for(ALGS)('%s: signJws → decodeJws → verifyJws → claimsHold, and through createVerifier', async (alg) => {
    const k = KEYS[alg];
    const payload = claims();
    const t = signJws(headerOf(k), payload, k.privateKey);
    const [h, p, s] = t.split('.') as [string, string, string];
    expect(decodeJsonSegment(h)).toEqual({ alg, kid: k.kid, typ: 'at+jwt' });
    expect(decodeJsonSegment(p)).toEqual(payload);
    expect(decodeSegment(s)?.length).toBe(64);
    const jws = decodeJws(t, DECODE);
    expect(jws?.header).toEqual({ alg, kid: k.kid, typ: 'at+jwt' });
    expect(verifyJws(jws!, k.publicKey)).toEqual(payload);
    expect(accepts(t)).toBe(true);
    expect(await verifier.verify(t)).toEqual({ kind: 'jwt', subject: 'usr_1', scopes: ['read', 'write'], clientId: 'key_1', expiresAt: (NOW + 900) * 1000 });
  });

  it('signJws refuses a key that is not a private key of the header alg', () => {
    expect(() => signJws(headerOf(KEYS.ES256), claims(), KEYS.ES256.publicKey)).toThrow(TypeError);
    expect(() => signJws(headerOf(KEYS.ES256), claims(), KEYS.EdDSA.privateKey)).toThrow(TypeError);
    expect(() => signJws(headerOf(KEYS.EdDSA), claims(), KEYS.ES256.privateKey)).toThrow(TypeError);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(() => signJws(headerOf(KEYS.ES256), claims(), p384)).toThrow(TypeError);
  });

  it('a signature by another key of the same algorithm, under the real kid, fails', () => {
    for (const alg of ALGS) {
      const forged = token({ ...STRANGERS[alg], kid: KEYS[alg].kid });
      expect(decodeJws(forged, DECODE)).toBeDefined();
      expect(verifyJws(decodeJws(forged, DECODE)!, KEYS[alg].publicKey)).toBeUndefined();
    }
  });
});

describe('cross-check with jose', () => {
  it.for(ALGS)('%s: tokens signed by signJws verify with jwtVerify (KeyObject and imported JWK)', async (alg) => {
    const k = KEYS[alg];
    const payload = claims();
    const t = signJws(headerOf(k), payload, k.privateKey);
    const options = { issuer: ISSUER, audience: AUDIENCE, typ: JWT_TYP, algorithms: [alg], currentDate: new Date(NOW_MS) };
    const viaKeyObject = await jwtVerify(t, k.publicKey, options);
    expect(viaKeyObject.payload).toEqual(payload);
    expect(viaKeyObject.protectedHeader).toEqual({ alg, kid: k.kid, typ: JWT_TYP });
    const viaJwk = await jwtVerify(t, await importJWK(k.jwk, alg), options);
    expect(viaJwk.payload).toEqual(payload);
  });

  it.for(ALGS)('%s: tokens signed by SignJWT verify here, also with typ application/at+jwt', async (alg) => {
    const k = KEYS[alg];
    for (const typ of ['at+jwt', 'application/at+jwt']) {
      const t = await new SignJWT({ client_id: 'key_1', scope: 'read' })
        .setProtectedHeader({ alg, kid: k.kid, typ })
        .setIssuer(ISSUER)
        .setSubject('usr_1')
        .setAudience(AUDIENCE)
        .setIssuedAt(NOW)
        .setExpirationTime(NOW + 60)
        .setJti('j1')
        .sign(k.privateKey);
      expect(accepts(t)).toBe(true);
      expect(await verifier.verify(t)).toMatchObject({ kind: 'jwt', subject: 'usr_1', clientId: 'key_1', scopes: ['read'] });
    }
  });

  it('keys generated and exported by jose import as KeyObjects for exactly their algorithm', async () => {
    for (const alg of ALGS) {
      const { publicKey, privateKey } = await joseKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
      const jwk = await exportJWK(publicKey);
      const imported = importPublicJwk(jwk, alg);
      expect(imported && keyAlg(imported)).toBe(alg);
      expect(importPublicJwk(jwk, alg === 'ES256' ? 'EdDSA' : 'ES256')).toBeUndefined();
      const t = await new SignJWT(claims()).setProtectedHeader({ alg, kid: 'k', typ: JWT_TYP }).sign(privateKey);
      expect(verifyJws(decodeJws(t, DECODE)!, imported!)).toMatchObject({ sub: 'usr_1' });
    }
  });
});

describe('alg (RFC 8725 §3.1, §3.2)', () => {
  const k = KEYS.ES256;
  const payload = json(claims());
  const withAlg = (alg: unknown, sig: string) => `${json({ alg, kid: k.kid, typ: JWT_TYP })}.${payload}.${sig}`;
  const sixtyFour = encodeSegment(Buffer.alloc(64, 7));

  const forgeries: Record<string, () => string> = {
    'none, no signature': () => withAlg('none', ''),
    'none, with a 64-byte signature': () => withAlg('none', sixtyFour),
    'None (case variant)': () => withAlg('None', sixtyFour),
    'HS256 keyed with the public key PEM': () => {
      const input = `${json({ alg: 'HS256', kid: k.kid, typ: JWT_TYP })}.${payload}`;
      const pem = k.publicKey.export({ type: 'spki', format: 'pem' });
      return `${input}.${encodeSegment(createHmac('sha256', pem).update(input).digest())}`;
    },
    'HS256 keyed with the public JWK JSON': () => {
      const input = `${json({ alg: 'HS256', kid: k.kid, typ: JWT_TYP })}.${payload}`;
      return `${input}.${encodeSegment(createHmac('sha256', JSON.stringify(k.jwk)).update(input).digest())}`;
    },
    'HS512 (a 64-byte MAC)': () => {
      const input = `${json({ alg: 'HS512', kid: k.kid, typ: JWT_TYP })}.${payload}`;
      return `${input}.${encodeSegment(createHmac('sha512', JSON.stringify(k.jwk)).update(input).digest())}`;
    },
    'RS256': () => withAlg('RS256', sixtyFour),
    'ES384': () => withAlg('ES384', sixtyFour),
    'ES256K': () => withAlg('ES256K', sixtyFour),
    'Ed25519 (the RFC 9864 name)': () => withAlg('Ed25519', sixtyFour),
    'alg missing': () => `${json({ kid: k.kid, typ: JWT_TYP })}.${payload}.${sixtyFour}`,
    'alg not a string': () => withAlg(['ES256'], sixtyFour),
    'EdDSA header, signed by an Ed25519 key, naming the ES256 kid': () => token({ ...STRANGERS.EdDSA, kid: k.kid }),
    'ES256 header, signed by a P-256 key, naming the EdDSA kid': () => token({ ...STRANGERS.ES256, kid: KEYS.EdDSA.kid }),
    'the ES256 token with its header alg changed to EdDSA': () => {
      const [, p, s] = token(k).split('.');
      return `${json(headerOf(k, { alg: 'EdDSA' }))}.${p}.${s}`;
    },
    'the EdDSA token with its header alg changed to ES256': () => {
      const [, p, s] = token(KEYS.EdDSA).split('.');
      return `${json(headerOf(KEYS.EdDSA, { alg: 'ES256' }))}.${p}.${s}`;
    },
  };

  it.for(Object.keys(forgeries))('%s: refused', async (name) => {
    const t = forgeries[name]!();
    expect(accepts(t)).toBe(false);
    await expectRefused(t);
  });

  it('decodeJws refuses every alg outside the allow-list before any key is looked up', () => {
    for (const alg of ['none', 'HS256', 'RS256', 'PS256', 'ES384', 'ES512', 'Ed448', '']) expect(decodeJws(withAlg(alg, sixtyFour), DECODE)).toBeUndefined();
    expect(decodeJws(token(KEYS.EdDSA), { algorithms: ['ES256'], typ: JWT_TYP })).toBeUndefined();
    expect(decodeJws(token(KEYS.ES256), { algorithms: ['EdDSA'], typ: JWT_TYP })).toBeUndefined();
    // An allow-list naming algorithms this module does not implement changes nothing.
    expect(decodeJws(withAlg('HS256', sixtyFour), { algorithms: ['HS256', 'none'], typ: JWT_TYP })).toBeUndefined();
  });

  it('verifyJws uses a key only with its own algorithm, and only a public key', () => {
    const es = decodeJws(token(KEYS.ES256), DECODE)!;
    const ed = decodeJws(token(KEYS.EdDSA), DECODE)!;
    expect(verifyJws(es, KEYS.ES256.publicKey)).toBeDefined();
    expect(verifyJws(es, KEYS.EdDSA.publicKey)).toBeUndefined();
    expect(verifyJws(ed, KEYS.ES256.publicKey)).toBeUndefined();
    expect(verifyJws({ ...es, header: { ...es.header, alg: 'EdDSA' } }, KEYS.EdDSA.publicKey)).toBeUndefined();
    expect(verifyJws(es, KEYS.ES256.privateKey)).toBeUndefined();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    expect(verifyJws(es, p384)).toBeUndefined();
  });

  it('a verifier limited to ES256 refuses a valid EdDSA token', async () => {
    const esOnly = offlineVerifier(undefined, ['ES256']);
    await expect(esOnly.verify(token(KEYS.ES256))).resolves.toMatchObject({ kind: 'jwt' });
    await expectRefused(token(KEYS.EdDSA), esOnly);
  });
});

describe('signature encoding', () => {
  it('an ES256 signature in DER is refused, even though it is a valid signature', async () => {
    const k = KEYS.ES256;
    const h = json(headerOf(k));
    const p = json(claims());
    const der = signedRaw(k, h, p, true);
    await expectRefused(der);
    expect(decodeJws(der, DECODE)).toBeUndefined();
    // Even handed to verifyJws directly, past the length check in decodeJws.
    const good = decodeJws(signedRaw(k, h, p), DECODE)!;
    const derJws: DecodedJws = { ...good, signature: signature(k, `${h}.${p}`, true) };
    expect(derJws.signature.length).not.toBe(64);
    expect(verifyJws(derJws, k.publicKey)).toBeUndefined();
    expect(verifyJws(good, k.publicKey)).toBeDefined();
  });

  it.for(ALGS)('%s: a signature of 63 or 65 bytes, a truncated one, a flipped bit, another token’s: refused', async (alg) => {
    const k = KEYS[alg];
    const t = token(k);
    const [h, p, s] = t.split('.') as [string, string, string];
    const sig = decodeSegment(s)!;
    const flipped = Buffer.from(sig);
    flipped[10]! ^= 1;
    const bad = [
      `${h}.${p}.${encodeSegment(sig.subarray(0, 63))}`,
      `${h}.${p}.${encodeSegment(Buffer.concat([sig, Buffer.from([0])]))}`,
      `${h}.${p}.${s.slice(0, -4)}`,
      `${h}.${p}.${encodeSegment(flipped)}`,
      `${h}.${p}.${token(k).split('.')[2]}`,
      `${h}.${p}.${encodeSegment(Buffer.alloc(64))}`,
    ];
    for (const b of bad) {
      expect(accepts(b)).toBe(false);
      await expectRefused(b);
    }
  });

  it.for(ALGS)('%s: changing any one character of a valid token makes it fail', (alg) => {
    const t = token(KEYS[alg]);
    expect(accepts(t)).toBe(true);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < t.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(t[i]!) + 1 + (i % 7)) % alphabet.length]!;
      const mutated = t.slice(0, i) + replacement + t.slice(i + 1);
      expect(mutated).not.toBe(t);
      expect(accepts(mutated), `position ${i}`).toBe(false);
    }
  });
});

describe('header parameters (RFC 8725 §3.11, RFC 7515 §4.1)', () => {
  const k = KEYS.ES256;

  it.for([
    ['typ at+jwt', { typ: 'at+jwt' }],
    ['typ AT+JWT', { typ: 'AT+JWT' }],
    ['typ application/at+jwt', { typ: 'application/at+jwt' }],
    ['typ Application/At+Jwt', { typ: 'Application/At+Jwt' }],
    ['an unknown harmless parameter', { cty: 'x', x5t: 'abc' }],
  ] as const)('accepts %s', async ([, header]) => {
    const t = token(k, header);
    expect(accepts(t)).toBe(true);
    await expect(verifier.verify(t)).resolves.toMatchObject({ kind: 'jwt' });
  });

  const attacker = STRANGERS.ES256;
  it.for([
    ['no typ', { typ: undefined }],
    ['typ JWT', { typ: 'JWT' }],
    ['typ application/jwt', { typ: 'application/jwt' }],
    ['typ at+jwt with trailing space', { typ: 'at+jwt ' }],
    ['typ text/at+jwt', { typ: 'text/at+jwt' }],
    ['typ as an array', { typ: ['at+jwt'] }],
    ['no kid', { kid: undefined }],
    ['empty kid', { kid: '' }],
    ['kid a number', { kid: 1 }],
    ['crit naming b64', { crit: ['b64'], b64: true }],
    ['crit naming exp', { crit: ['exp'], exp: NOW + 10 }],
    ['crit empty', { crit: [] }],
    ['b64 false', { b64: false }],
    ['b64 false with crit', { b64: false, crit: ['b64'] }],
    ['b64 true', { b64: true }],
    ['jku', { jku: 'https://evil.example/jwks.json' }],
    ['x5u', { x5u: 'https://evil.example/cert.pem' }],
    ['jwk (the real public key embedded)', { jwk: k.jwk }],
    ['x5c', { x5c: ['MIIB'] }],
  ] as const)('refuses %s, even when properly signed by the real key', async ([, header]) => {
    const t = token(k, header);
    expect(accepts(t)).toBe(false);
    expect(decodeJws(t, DECODE)).toBeUndefined();
    await expectRefused(t);
  });

  it('refuses an unknown kid (decoding is fine, no key is found)', async () => {
    const t = token(k, { kid: 'no-such-kid' });
    expect(decodeJws(t, DECODE)?.header.kid).toBe('no-such-kid');
    expect(accepts(t)).toBe(false);
    await expectRefused(t);
  });

  it('refuses an embedded jwk naming the attacker’s own key, signed by it', async () => {
    const { kid: _, alg: __, use: ___, ...jwk } = attacker.jwk;
    for (const kid of [k.kid, attacker.kid, undefined]) {
      const t = token(attacker, { kid, jwk });
      expect(accepts(t, [...Object.values(KEYS)])).toBe(false);
      await expectRefused(t);
    }
  });
});

describe('shape: three strict base64url segments, JSON objects', () => {
  const k = KEYS.ES256;
  // A token whose signature holds both `-` and `_`, so the standard-alphabet case below decodes
  // to the very same bytes (Node's base64url decoder takes `+` and `/` too).
  let t = token(k);
  while (!/-.*_|_.*-/.test(t.split('.')[2]!)) t = token(k);
  const [h, p, s] = t.split('.') as [string, string, string];
  /** A segment whose last character differs only in bits base64url decoding drops. */
  const sloppy = (segment: string) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 4n+2 characters leave 4 unused bits in the last one, 4n+3 leave 2: its lowest bit is spare.
    if (segment.length % 4 < 2) throw new Error('no spare bits in this segment');
    const last = alphabet.indexOf(segment.at(-1)!);
    return segment.slice(0, -1) + alphabet[last ^ 1]!;
  };

  const malformed: Record<string, string> = {
    'empty string': '',
    'one segment': h,
    'two segments': `${h}.${p}`,
    'two segments with a trailing dot': `${h}.${p}.`,
    'four segments': `${t}.${s}`,
    'four segments, the last empty': `${t}.`,
    'empty header': `.${p}.${s}`,
    'empty payload': `${h}..${s}`,
    'padding on the signature': `${h}.${p}.${s}==`,
    'padding on the payload': `${h}.${p}=.${s}`,
    'standard base64 alphabet (+ and /), the same bytes': `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}`,
    'whitespace inside a segment': `${h}.${p.slice(0, 8)} ${p.slice(8)}.${s}`,
    'a newline before the signature': `${h}.${p}.\n${s}`,
    'a segment of length 4n+1': `${h}.${p}A.${s}`,
    'percent-encoded characters': `${h}.${p}.${s.slice(0, 10)}%2D${s.slice(10)}`,
    'header not JSON': `${encodeSegment('not json')}.${p}.${s}`,
    'header a JSON array': `${json([headerOf(k)])}.${p}.${s}`,
    'header JSON null': `${json(null)}.${p}.${s}`,
    'header a JSON string': `${json('{"alg":"ES256"}')}.${p}.${s}`,
    'header a JSON number': `${json(42)}.${p}.${s}`,
    'header with a byte-order mark': `${encodeSegment(`\uFEFF${JSON.stringify(headerOf(k))}`)}.${p}.${s}`,
    'header that is not UTF-8': `${encodeSegment(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]))}.${p}.${s}`,
    'the token truncated': t.slice(0, -10),
    'the token with surrounding whitespace': ` ${t} `,
    'garbage: three dots': 'a.b.c',
    'garbage: dots only': '...',
  };
  if (s.length % 4 !== 0) malformed['non-canonical trailing bits in the signature'] = `${h}.${p}.${sloppy(s)}`;
  if (p.length % 4 !== 0) malformed['non-canonical trailing bits in the payload'] = `${h}.${sloppy(p)}.${s}`;

  it.for(Object.keys(malformed))('%s: refused, without throwing', async (name) => {
    const bad = malformed[name]!;
    expect(bad).not.toBe(t);
    expect(() => decodeJws(bad, DECODE)).not.toThrow();
    expect(accepts(bad)).toBe(false);
    await expectRefused(bad);
  });

  it.for([
    ['a JSON array', [claims()]],
    ['JSON null', null],
    ['a JSON number', 42],
    ['a JSON string', JSON.stringify(claims())],
    ['JSON true', true],
  ] as const)('a payload that is %s is refused, even with a valid signature', async ([, value]) => {
    const bad = signedRaw(k, h, json(value));
    expect(decodeJws(bad, DECODE)).toBeDefined();
    expect(verifyJws(decodeJws(bad, DECODE)!, k.publicKey)).toBeUndefined();
    await expectRefused(bad);
  });

  it('a payload that is not JSON, or not UTF-8, is refused even with a valid signature', async () => {
    for (const payload of [encodeSegment('not json'), encodeSegment('{"sub":"x"'), encodeSegment(Buffer.from([0x7b, 0x7d, 0xff]))]) {
      const bad = signedRaw(k, h, payload);
      expect(verifyJws(decodeJws(bad, DECODE)!, k.publicKey)).toBeUndefined();
      await expectRefused(bad);
    }
  });

  it('decodeSegment accepts only canonical unpadded base64url', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01]);
    const canonical = bytes.toString('base64url');
    expect(canonical).toBe('-_-_AQ');
    expect(decodeSegment(canonical)).toEqual(bytes);
    // Node's decoder alone would take all of these, some as the very same bytes.
    expect(Buffer.from('+/+/AQ==', 'base64url')).toEqual(bytes);
    expect(Buffer.from('-_-_AR', 'base64url')).toEqual(bytes);
    for (const bad of ['', '-_-_AQ==', '+/+/AQ', '-_-_AR', '-_-_A', '-_ -_AQ', '-_-_AQ\n', '-_-_AQ.']) expect(decodeSegment(bad), JSON.stringify(bad)).toBeUndefined();
  });

  it('thousands of random and spliced inputs: decodeJws never throws and nothing verifies', () => {
    const pieces = [h, p, s, '', '.', '=', '+', '/', 'eyJ', 'A', '-', '_', '\u0000', 'é', '{}', json({}), json(headerOf(k, { alg: 'none' }))];
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const parts = Array.from({ length: 1 + random(6) }, () => pieces[random(pieces.length)]!);
      const input = parts.join(random(2) ? '.' : '');
      if (input === t) continue;
      expect(() => decodeJws(input, DECODE), JSON.stringify(input)).not.toThrow();
      expect(accepts(input), JSON.stringify(input)).toBe(false);
    }
  });
});

describe('claims (RFC 8725 §3.8–3.9, RFC 9068 §2.2)', () => {
  const k = KEYS.EdDSA;
  const check = (c: Record<string, unknown>, required: readonly string[] = []) => claimsHold(c, { issuer: ISSUER, audience: AUDIENCE, now: NOW, required });

  it.for([
    ['the usual claims', claims()],
    ['aud an array holding the audience', claims({ aud: ['https://other.example', AUDIENCE] })],
    ['exp one second ahead', claims({ exp: NOW + 1 })],
    ['nbf now', claims({ nbf: NOW })],
    ['nbf in the past', claims({ nbf: NOW - 100 })],
    ['iat in the future (no rule on it, as before)', claims({ iat: NOW + 100 })],
    ['no scope (optional for the library)', claims({}, 'scope')],
    ['extra claims', claims({ azp: 'x', custom: { nested: true } })],
  ] as const)('accepts %s', async ([, c]) => {
    expect(accepts(token(k, {}, c))).toBe(true);
    await expect(verifier.verify(token(k, {}, c))).resolves.toMatchObject({ kind: 'jwt' });
  });

  it.for([
    ['wrong iss', claims({ iss: 'https://evil.example' })],
    ['iss with a trailing slash', claims({ iss: `${ISSUER}/` })],
    ['iss in another case', claims({ iss: ISSUER.toUpperCase() })],
    ['iss an array holding the issuer', claims({ iss: [ISSUER] })],
    ['no iss', claims({}, 'iss')],
    ['wrong aud', claims({ aud: 'https://other.example' })],
    ['aud an array without the audience', claims({ aud: ['https://other.example'] })],
    ['aud an empty array', claims({ aud: [] })],
    ['aud an object', claims({ aud: { [AUDIENCE]: true } })],
    ['aud a prefix of the audience', claims({ aud: AUDIENCE.slice(0, -1) })],
    ['no aud', claims({}, 'aud')],
    ['no exp', claims({}, 'exp')],
    ['exp now (expired from that second on)', claims({ exp: NOW })],
    ['exp in the past', claims({ exp: NOW - 1 })],
    ['exp a string', claims({ exp: String(NOW + 900) })],
    ['exp null', claims({ exp: null })],
    ['nbf one second ahead', claims({ nbf: NOW + 1 })],
    ['nbf a string', claims({ nbf: String(NOW) })],
    ['no iat', claims({}, 'iat')],
    ['iat a string', claims({ iat: String(NOW) })],
    ['no sub', claims({}, 'sub')],
    ['sub a number', claims({ sub: 1 })],
    ['no client_id', claims({}, 'client_id')],
    ['client_id null', claims({ client_id: null })],
    ['no jti', claims({}, 'jti')],
    ['scope not a string', claims({ scope: ['read'] })],
  ] as const)('refuses %s, properly signed', async ([, c]) => {
    const t = token(k, {}, c);
    expect(verifyJws(decodeJws(t, DECODE)!, k.publicKey)).toEqual(c);
    await expectRefused(t);
  });

  it('claimsHold: exact rules', () => {
    expect(check(claims())).toBe(true);
    expect(check(claims({}, 'jti'), ['jti'])).toBe(false);
    // Presence is what is required; a required claim set to null is present (types are the caller's).
    expect(check(claims({ jti: null }), ['jti'])).toBe(true);
    expect(check({ iss: ISSUER, aud: AUDIENCE, exp: NOW + 1 })).toBe(true);
    expect(check({ iss: ISSUER, aud: AUDIENCE })).toBe(false);
    expect(check({ iss: ISSUER, aud: AUDIENCE, exp: NOW + 1, iat: null })).toBe(false);
    expect(check({ iss: ISSUER, aud: AUDIENCE, exp: NOW + 1, nbf: NOW + 1 })).toBe(false);
    // A claim inherited rather than present does not count.
    expect(check(Object.assign(Object.create({ jti: 'x' }) as Record<string, unknown>, { iss: ISSUER, aud: AUDIENCE, exp: NOW + 1 }), ['jti'])).toBe(false);
    expect(epochSeconds(1999)).toBe(1);
  });
});

describe('importPublicJwk and keyAlg', () => {
  it('imports a public JWK only for the algorithm of its key', () => {
    const es = KEYS.ES256.jwk;
    const ed = KEYS.EdDSA.jwk;
    expect(keyAlg(importPublicJwk(es, 'ES256')!)).toBe('ES256');
    expect(keyAlg(importPublicJwk(ed, 'EdDSA')!)).toBe('EdDSA');
    expect(importPublicJwk(es, 'EdDSA')).toBeUndefined();
    expect(importPublicJwk(ed, 'ES256')).toBeUndefined();
    expect(importPublicJwk(es, 'HS256')).toBeUndefined();
    expect(importPublicJwk(es, 'none')).toBeUndefined();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    expect(importPublicJwk(p384, 'ES256')).toBeUndefined();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    expect(importPublicJwk(rsa, 'ES256')).toBeUndefined();
    expect(importPublicJwk({ kty: 'oct', k: encodeSegment('secret') }, 'ES256')).toBeUndefined();
    expect(importPublicJwk({ ...es, x: 'AAAA' }, 'ES256')).toBeUndefined();
    expect(importPublicJwk({ ...es, crv: 'P-384' }, 'ES256')).toBeUndefined();
    for (const junk of [null, undefined, 'jwk', 42, [], [es], {}]) expect(importPublicJwk(junk, 'ES256')).toBeUndefined();
  });

  it('a JWKS with a broken key, an HMAC key or a mislabelled key keeps the good ones; tokens for the others are refused', async () => {
    const good = KEYS.ES256;
    const broken = testKey('ES256');
    const mislabelled = testKey('EdDSA');
    const keys: JWK[] = [
      good.jwk,
      { ...broken.jwk, x: 'AAAA' },
      { ...mislabelled.jwk, alg: 'ES256' },
      { kty: 'oct', kid: 'hmac', alg: 'HS256', k: encodeSegment(JSON.stringify(good.jwk)) },
    ];
    const v = offlineVerifier(keys);
    await expect(v.verify(token(good))).resolves.toMatchObject({ kind: 'jwt' });
    await expectRefused(token(broken), v);
    await expectRefused(token(mislabelled), v);
    await expectRefused(token({ ...mislabelled, alg: 'ES256' as const, privateKey: good.privateKey }), v);
    const input = `${json({ alg: 'HS256', kid: 'hmac', typ: JWT_TYP })}.${json(claims())}`;
    await expectRefused(`${input}.${encodeSegment(createHmac('sha256', JSON.stringify(good.jwk)).update(input).digest())}`, v);
  });
});
