/**
 * Secret formats. Every secret is `<prefix><body><checksum>`:
 *   body      30 base62 characters from a CSPRNG (30 × log2(62) ≈ 178 bits, above the 160-bit floor)
 *   checksum  CRC32 of prefix+body, written as 6 base62 characters (62^6 > 2^32)
 * The checksum lets us (and secret scanners) reject typos and forgeries before any lookup.
 * Secrets are stored only as SHA-256 digests plus a short display start.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SECRET_BODY_LENGTH = 30;
export const CHECKSUM_LENGTH = 6;
const DISPLAY_BODY_CHARS = 4;

/**
 * CSPRNG bytes drawn from a pooled buffer: one `randomBytes` call per 4 KiB instead of one per
 * secret (the call, not the randomness, was the cost on the token endpoints). Each byte is
 * handed out once.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;
function randomByte(): number {
  if (poolOffset >= pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

/** Uniform base62 string from the CSPRNG (rejection sampling avoids modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

function base62Fixed(value: number, width: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out;
}

export function checksum(prefixAndBody: string): string {
  return base62Fixed(crc32(prefixAndBody) >>> 0, CHECKSUM_LENGTH);
}

export interface IssuedSecret {
  /** The full secret, shown to its owner exactly once. */
  secret: string;
  /** SHA-256 hex digest: the only form that is stored. */
  hash: string;
  /** Prefix plus the first body characters, safe to display. */
  start: string;
}

export function issueSecret(prefix: string): IssuedSecret {
  const body = randomBase62(SECRET_BODY_LENGTH);
  const secret = prefix + body + checksum(prefix + body);
  return { secret, hash: hashSecret(secret), start: displayStart(secret, prefix) };
}

export function displayStart(secret: string, prefix: string): string {
  return secret.slice(0, prefix.length + DISPLAY_BODY_CHARS);
}

const BASE62 = /^[0-9A-Za-z]+$/;

/** True when `candidate` has the shape of a secret with `prefix` and its checksum matches. */
export function isWellFormedSecret(candidate: string, prefix: string): boolean {
  if (candidate.length !== prefix.length + SECRET_BODY_LENGTH + CHECKSUM_LENGTH) return false;
  if (!candidate.startsWith(prefix)) return false;
  const rest = candidate.slice(prefix.length);
  if (!BASE62.test(rest)) return false;
  // A plain comparison: the checksum is a public function of the candidate itself, so how fast
  // it fails tells a caller nothing they could not compute.
  return checksum(candidate.slice(0, prefix.length + SECRET_BODY_LENGTH)) === rest.slice(SECRET_BODY_LENGTH);
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time string comparison (length is not secret). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A public identifier such as `key_…` or `usr_…`: random, not secret, no checksum. */
export function publicId(prefix: string, length = 20): string {
  return prefix + randomBase62(length);
}

/** The regular expression a secret scanner can use for secrets of this prefix. */
export function scannerPattern(prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `${escaped}[0-9A-Za-z]{${SECRET_BODY_LENGTH + CHECKSUM_LENGTH}}`;
}
