/**
 * Every shape of bearer credential an attacker can send: the empty and half-written headers,
 * `sk_` secrets with a wrong checksum, length or prefix, well-formed but unknown `sk_`/`at_`/
 * `rt_` secrets, and forged JWTs (alg none, HS256 keyed with the public key, wrong kid,
 * expired, wrong iss/aud, tampered payload, a huge header). Each is a whole `Authorization`
 * header value; none of them may be accepted, nor answered with a 5xx.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, type JWK, type JWTPayload, type KeyObject, SignJWT, exportSPKI, generateKeyPair, importJWK } from 'jose';
import { issueSecret } from '../../src/core/credentials.js';

export interface TokenFixtures {
  issuer: string;
  /** A real access token from POST /v0/auth. */
  jwt: string;
  kid: string;
  privateKey: CryptoKey | KeyObject | Uint8Array;
  publicJwk: JWK;
  sub: string;
  /** A real `sk_` secret (its variants are built from it; it is never sent as is). */
  keySecret: string;
  keyId: string;
  /** A real `at_` access token, from the client-credentials grant. */
  accessToken: string;
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const flip = (c: string) => (c === 'A' ? 'B' : 'A');

export async function bearerShapes(f: TokenFixtures): Promise<Array<[string, string]>> {
  const now = Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}): JWTPayload => ({ iss: f.issuer, sub: f.sub, aud: f.issuer, client_id: f.keyId, scope: 'read', iat: now, exp: now + 900, jti: randomUUID(), ...over });
  const sign = (payload: JWTPayload, header: Record<string, unknown>, key: CryptoKey | KeyObject | Uint8Array) => new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: f.kid, ...header }).sign(key);
  const [h, p, s] = f.jwt.split('.') as [string, string, string];
  const pem = await exportSPKI((await importJWK(f.publicJwk, 'ES256')) as CryptoKey);
  const stranger = (await generateKeyPair('ES256')).privateKey;
  const sk = f.keySecret;
  const at = f.accessToken;
  return [
    ['no value', ''],
    ['the word Bearer alone', 'Bearer'],
    ['Bearer and a space', 'Bearer '],
    ['lower-case scheme, two spaces', `bearer  ${issueSecret('sk_').secret}`],
    ['Basic instead of Bearer', `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['Basic that is not base64', 'Basic !!!not-base64!!!'],
    ['Basic without a colon', `Basic ${Buffer.from('just-a-user').toString('base64')}`],
    ['Basic with an empty user and password', `Basic ${Buffer.from(':').toString('base64')}`],
    ['Basic with percent escapes and a NUL', `Basic ${Buffer.from('app_%ZZ:cs_\u0000').toString('base64')}`],
    ['Digest scheme', 'Digest username="x", realm="gatehouse"'],
    ['sk_ with a wrong checksum', `Bearer ${sk.slice(0, -1)}${flip(sk.at(-1)!)}`],
    ['sk_ one character short', `Bearer ${sk.slice(0, -1)}`],
    ['sk_ one character long', `Bearer ${sk}A`],
    ['sk_ body under another prefix', `Bearer pk_${sk.slice(3)}`],
    ['sk_ upper-cased prefix', `Bearer SK_${sk.slice(3)}`],
    ['sk_ well-formed but unknown', `Bearer ${issueSecret('sk_').secret}`],
    ['sk_ with SQL and LIKE metacharacters', "Bearer sk_' OR '1'='1' --%_\\"],
    ['at_ well-formed but unknown', `Bearer ${issueSecret('at_').secret}`],
    ['at_ with a wrong checksum', `Bearer ${at.slice(0, -1)}${flip(at.at(-1)!)}`],
    ['rt_ well-formed, as a bearer token', `Bearer ${issueSecret('rt_').secret}`],
    ['cs_ client secret as a bearer token', `Bearer ${issueSecret('cs_').secret}`],
    ['JWT alg none with the real kid', `Bearer ${b64({ alg: 'none', typ: 'at+jwt', kid: f.kid })}.${b64(claims())}.`],
    ['JWT HS256 keyed with the public key PEM', `Bearer ${await sign(claims(), { alg: 'HS256' }, new TextEncoder().encode(pem))}`],
    ['JWT signed by an unknown key under a made-up kid', `Bearer ${await sign(claims(), { kid: 'made-up-kid' }, stranger)}`],
    ['JWT signed by an unknown key under the real kid', `Bearer ${await sign(claims(), {}, stranger)}`],
    ['JWT expired', `Bearer ${await sign(claims({ iat: now - 1000, exp: now - 100 }), {}, f.privateKey)}`],
    ['JWT from another issuer', `Bearer ${await sign(claims({ iss: 'https://evil.example' }), {}, f.privateKey)}`],
    ['JWT for another audience', `Bearer ${await sign(claims({ aud: 'https://evil.example' }), {}, f.privateKey)}`],
    ['JWT payload tampered (scope widened)', `Bearer ${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'read write delete admin' })}.${s}`],
    ['JWT with a 6 KiB header', `Bearer ${b64({ alg: 'ES256', typ: 'at+jwt', kid: f.kid, x: 'A'.repeat(6000) })}.${p}.${s}`],
    ['JWT header that is not JSON', `Bearer ${b64('{"alg":')}.${p}.${s}`],
    ['JWT with a __proto__ header', `Bearer ${b64('{"alg":"ES256","__proto__":{"alg":"none"},"kid":"x"}')}.${p}.${s}`],
  ];
}
