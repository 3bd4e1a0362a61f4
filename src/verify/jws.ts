/**
 * JWS in compact serialization (RFC 7515 §7.1) with ES256 and EdDSA (Ed25519) only, on
 * `node:crypto` `KeyObject`s: synchronous, no WebCrypto round trip. Shared by the server
 * (signing, and its own checks of JWTs) and the resource-server library.
 *
 * Decoding is strict and never throws for any input: a token that is not exactly three
 * canonical, unpadded base64url segments (RFC 7515 §2, RFC 4648 §5), or whose header is not a
 * JSON object, is refused. RFC 8725 rules on the header:
 *  - `alg` must be in the caller's allow-list (never `none`, never HMAC: §3.1, §3.2), and it must
 *    be the algorithm of the key the caller found for `kid` (the key decides, not the token);
 *  - `typ` must be the expected one (§3.11), compared as RFC 7515 §4.1.9 media types;
 *  - `kid` must be present: keys are only ever looked up, never taken from the token, so
 *    `jku`, `x5u`, `jwk` and `x5c` are refused outright (RFC 7515 §4.1.2–4.1.6);
 *  - extensions are not supported: `crit` and `b64` (RFC 7797) are refused (RFC 7515 §4.1.11).
 * Signatures are exactly 64 bytes for both algorithms: ES256 as R‖S (RFC 7518 §3.4, so a DER
 * signature fails), Ed25519 per RFC 8032 §5.1.6. The payload is only parsed once the signature
 * holds. Nothing here looks at claims: see jwt-claims.ts.
 */
import { type JsonWebKey, type KeyObject, createPublicKey, sign, verify } from 'node:crypto';

export const JWS_ALGS = ['ES256', 'EdDSA'] as const;
export type JwsAlg = (typeof JWS_ALGS)[number];

/** Both algorithms have 64-byte signatures: P-256 R‖S, and Ed25519. */
const SIGNATURE_BYTES = 64;

/** Header parameters that would let a token choose its own key, or change how it is processed. */
const REFUSED_HEADER_PARAMETERS = ['crit', 'b64', 'jku', 'x5u', 'jwk', 'x5c'] as const;

export interface JwsHeader {
  alg: JwsAlg;
  kid: string;
  [parameter: string]: unknown;
}

/** A compact JWS whose header passed `decodeJws`; its signature is not checked yet. */
export interface DecodedJws {
  header: JwsHeader;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`: what the signature covers (RFC 7515 §5.2). */
  signingInput: string;
  /** The payload bytes, not to be read before the signature is verified. */
  payload: Buffer;
  signature: Buffer;
}

export interface DecodeOptions {
  /** Algorithms accepted; a subset of `JWS_ALGS` (anything else never verifies anyway). */
  algorithms: readonly string[];
  /** The `typ` the header must carry, e.g. `at+jwt`. */
  typ: string;
}

/** Base64url without padding (RFC 7515 §2). */
export const encodeSegment = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');

/**
 * The bytes of a base64url segment, or undefined unless it is the one canonical encoding of
 * them: no padding, no `+` or `/`, no whitespace, no stray bits in the last character. Node's
 * decoder skips what it does not understand, so the round trip is what makes this strict.
 */
export function decodeSegment(segment: string): Buffer | undefined {
  if (segment.length === 0) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 JSON text of an object (RFC 7515 §4, RFC 7519 §7.2 step 10), or undefined. */
function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A segment holding a JSON object, or undefined. */
export function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  const bytes = decodeSegment(segment);
  return bytes && parseJsonObject(bytes);
}

/** RFC 7515 §4.1.9: media types compare case-insensitively, and `application/` may be left out. */
function mediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

const isJwsAlg = (alg: unknown): alg is JwsAlg => alg === 'ES256' || alg === 'EdDSA';

/** The header and segments of a compact JWS if its shape and header are acceptable; never throws. */
export function decodeJws(token: string, options: DecodeOptions): DecodedJws | undefined {
  if (typeof token !== 'string') return undefined;
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) return undefined;
  const header = decodeJsonSegment(token.slice(0, dot1));
  const payload = decodeSegment(token.slice(dot1 + 1, dot2));
  const signature = decodeSegment(token.slice(dot2 + 1));
  if (!header || !payload || !signature || signature.length !== SIGNATURE_BYTES) return undefined;
  const { alg, kid, typ } = header;
  if (!isJwsAlg(alg) || !options.algorithms.includes(alg)) return undefined;
  if (typeof kid !== 'string' || kid.length === 0) return undefined;
  if (typeof typ !== 'string' || mediaType(typ) !== mediaType(options.typ)) return undefined;
  for (const name of REFUSED_HEADER_PARAMETERS) if (Object.hasOwn(header, name)) return undefined;
  return { header: header as JwsHeader, signingInput: token.slice(0, dot2), payload, signature };
}

const keyAlgs = new WeakMap<KeyObject, JwsAlg | null>();

/** The one algorithm an asymmetric key is for (P-256 → ES256, Ed25519 → EdDSA), or undefined. */
export function keyAlg(key: KeyObject): JwsAlg | undefined {
  let alg = keyAlgs.get(key);
  if (alg === undefined) {
    alg = null;
    if (key.type !== 'secret') {
      if (key.asymmetricKeyType === 'ed25519') alg = 'EdDSA';
      else if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') alg = 'ES256';
    }
    keyAlgs.set(key, alg);
  }
  return alg ?? undefined;
}

/**
 * A public JWK (RFC 7517) as a `KeyObject`, if it is a valid key for exactly `alg`; undefined
 * for anything else (another curve or key type, a symmetric key, bad coordinates).
 */
export function importPublicJwk(jwk: unknown, alg: string): KeyObject | undefined {
  if (!isJwsAlg(alg) || typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
  return keyAlg(key) === alg ? key : undefined;
}

/**
 * The payload of `jws` as a JSON object if its signature verifies with `key`, a public key whose
 * own algorithm is the header's `alg`; undefined otherwise. Never throws.
 */
export function verifyJws(jws: DecodedJws, key: KeyObject): Record<string, unknown> | undefined {
  const { alg } = jws.header;
  if (key.type !== 'public' || keyAlg(key) !== alg || jws.signature.length !== SIGNATURE_BYTES) return undefined;
  const data = Buffer.from(jws.signingInput, 'latin1');
  let valid: boolean;
  try {
    valid =
      alg === 'ES256'
        ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, jws.signature)
        : verify(null, data, key, jws.signature);
  } catch {
    return undefined;
  }
  return valid ? parseJsonObject(jws.payload) : undefined;
}

/** A compact JWS of `payload`, signed with `key`: a private key whose algorithm is `header.alg`. */
export function signJws(header: JwsHeader, payload: Record<string, unknown>, key: KeyObject): string {
  if (key.type !== 'private' || keyAlg(key) !== header.alg) throw new TypeError(`the signing key is not a private ${header.alg} key`);
  const signingInput = `${encodeSegment(JSON.stringify(header))}.${encodeSegment(JSON.stringify(payload))}`;
  const data = Buffer.from(signingInput, 'latin1');
  const signature = header.alg === 'ES256' ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }) : sign(null, data, key);
  return `${signingInput}.${encodeSegment(signature)}`;
}
