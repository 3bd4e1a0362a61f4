import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_LENGTH,
  SECRET_BODY_LENGTH,
  checksum,
  displayStart,
  hashSecret,
  isWellFormedSecret,
  issueSecret,
  randomBase62,
  safeEqual,
  scannerPattern,
} from '../../src/core/credentials.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The same string with the character at `index` replaced by a different base62 character. */
function mutate(text: string, index: number): string {
  const current = text[index]!;
  const replacement = BASE62[(BASE62.indexOf(current) + 1) % BASE62.length]!;
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('issued secrets', () => {
  it('have the shape <prefix><30 base62 body><6 base62 checksum>', () => {
    const { secret } = issueSecret('sk_');
    expect(secret).toMatch(/^sk_[0-9A-Za-z]{36}$/);
    expect(SECRET_BODY_LENGTH).toBe(30);
    expect(CHECKSUM_LENGTH).toBe(6);
    const body = secret.slice(3, 33);
    expect(secret.slice(33)).toBe(checksum(`sk_${body}`));
  });

  it('carry at least 160 bits of randomness in the body', () => {
    expect(SECRET_BODY_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(160);
    // A checksum of 6 base62 characters can hold every CRC32 value.
    expect(62 ** CHECKSUM_LENGTH).toBeGreaterThan(2 ** 32);
  });

  it('never repeat over many samples, and the body uses the whole alphabet', () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const { secret } = issueSecret('sk_');
      seen.add(secret);
      for (const c of secret.slice(3, 33)) chars.add(c);
    }
    expect(seen.size).toBe(10_000);
    expect(chars.size).toBe(62);
  });

  it('draws every base62 character equally often (no modulo bias, across many refills of the random pool)', () => {
    const counts = new Map<string, number>();
    const samples = 400_000;
    for (const c of randomBase62(samples)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const expected = samples / 62;
    // ±10% is about 7 standard deviations; a modulo bias makes 8 characters 25% more frequent.
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.1);
    expect(counts.size).toBe(62);
  });

  it('randomBase62 returns exactly the requested length of base62 characters', () => {
    for (const n of [1, 6, 30, 64]) expect(randomBase62(n)).toMatch(new RegExp(`^[0-9A-Za-z]{${n}}$`));
  });

  it('come with their SHA-256 hex digest and a short display start', () => {
    const issued = issueSecret('sk_');
    expect(issued.hash).toBe(createHash('sha256').update(issued.secret).digest('hex'));
    expect(issued.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(issued.start).toBe(issued.secret.slice(0, 7));
    expect(issued.secret.startsWith(issued.start)).toBe(true);
  });
});

describe('isWellFormedSecret', () => {
  it('accepts every issued secret', () => {
    for (let i = 0; i < 500; i++) expect(isWellFormedSecret(issueSecret('sk_').secret, 'sk_')).toBe(true);
  });

  it('rejects a one-character change anywhere in the body', () => {
    const { secret } = issueSecret('sk_');
    for (let i = 3; i < 3 + SECRET_BODY_LENGTH; i++) {
      expect(isWellFormedSecret(mutate(secret, i), 'sk_'), `position ${i}`).toBe(false);
    }
  });

  it('rejects a one-character change anywhere in the checksum', () => {
    const { secret } = issueSecret('sk_');
    for (let i = 3 + SECRET_BODY_LENGTH; i < secret.length; i++) {
      expect(isWellFormedSecret(mutate(secret, i), 'sk_'), `position ${i}`).toBe(false);
    }
  });

  it('rejects a wrong prefix, even with a checksum valid for that prefix', () => {
    const access = issueSecret('at_').secret;
    expect(isWellFormedSecret(access, 'at_')).toBe(true);
    expect(isWellFormedSecret(access, 'sk_')).toBe(false);
    const { secret } = issueSecret('sk_');
    expect(isWellFormedSecret(`at_${secret.slice(3)}`, 'sk_')).toBe(false);
    expect(isWellFormedSecret(`SK_${secret.slice(3)}`, 'sk_')).toBe(false);
  });

  it('rejects wrong lengths', () => {
    const { secret } = issueSecret('sk_');
    expect(isWellFormedSecret(secret.slice(0, -1), 'sk_')).toBe(false);
    expect(isWellFormedSecret(`${secret}A`, 'sk_')).toBe(false);
    expect(isWellFormedSecret('', 'sk_')).toBe(false);
    expect(isWellFormedSecret('sk_', 'sk_')).toBe(false);
    // A shorter body whose checksum is computed correctly is still refused.
    const shortBody = randomBase62(29);
    expect(isWellFormedSecret(`sk_${shortBody}${checksum(`sk_${shortBody}`)}`, 'sk_')).toBe(false);
  });

  it('rejects non-base62 characters even when the checksum matches them', () => {
    for (const bad of ['-', '_', '+', '/', '=', ' ', 'é']) {
      const body = `${randomBase62(29)}${bad}`;
      const candidate = `sk_${body}${checksum(`sk_${body}`)}`;
      expect(isWellFormedSecret(candidate, 'sk_'), JSON.stringify(bad)).toBe(false);
    }
  });

  it('works with configured prefixes', () => {
    const { secret, start } = issueSecret('acme_');
    expect(secret).toMatch(/^acme_[0-9A-Za-z]{36}$/);
    expect(start).toBe(secret.slice(0, 9));
    expect(isWellFormedSecret(secret, 'acme_')).toBe(true);
    expect(isWellFormedSecret(secret, 'sk_')).toBe(false);
    expect(isWellFormedSecret(`sk_${secret.slice(5)}`, 'sk_')).toBe(false);
  });
});

describe('hashSecret, displayStart, safeEqual', () => {
  it('hashSecret is the SHA-256 hex digest', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashSecret('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('displayStart keeps the prefix and four body characters', () => {
    expect(displayStart('sk_ABCDEFGHIJ', 'sk_')).toBe('sk_ABCD');
    expect(displayStart('acme_wxyz1234', 'acme_')).toBe('acme_wxyz');
  });

  it('safeEqual compares exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('abcd', 'abc')).toBe(false);
    expect(safeEqual('é', 'e')).toBe(false);
  });
});

describe('scannerPattern', () => {
  const anchored = (prefix: string) => new RegExp(`^(?:${scannerPattern(prefix)})$`);

  it('matches issued secrets of its prefix', () => {
    const re = anchored('sk_');
    for (let i = 0; i < 100; i++) expect(issueSecret('sk_').secret).toMatch(re);
  });

  it('finds a secret embedded in text', () => {
    const { secret } = issueSecret('sk_');
    const found = `export API_KEY="${secret}"`.match(new RegExp(scannerPattern('sk_'), 'g'));
    expect(found).toEqual([secret]);
  });

  it('does not match other prefixes, wrong lengths or other characters', () => {
    const re = anchored('sk_');
    const { secret } = issueSecret('sk_');
    expect(issueSecret('at_').secret).not.toMatch(re);
    expect(secret.slice(0, -1)).not.toMatch(re);
    expect(`${secret}x`).not.toMatch(re);
    expect(`sk_${'-'.repeat(36)}`).not.toMatch(re);
  });

  it('supports configured prefixes and escapes regex metacharacters', () => {
    const acme = issueSecret('acme_').secret;
    expect(acme).toMatch(anchored('acme_'));
    expect(acme).not.toMatch(anchored('sk_'));
    const dotted = anchored('a.b_');
    expect(`a.b_${randomBase62(36)}`).toMatch(dotted);
    expect(`aXb_${randomBase62(36)}`).not.toMatch(dotted);
  });
});
