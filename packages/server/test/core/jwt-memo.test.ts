import { describe, expect, it } from 'vitest';
import { JwtMemo } from '../../src/core/jwt-memo.js';
import type { AccessTokenClaims } from '../../src/core/jwt.js';

const claims = (exp: number): AccessTokenClaims => ({ iss: 'i', sub: 's', aud: 'a', client_id: 'c', scope: 'read', iat: exp - 900, exp, jti: 'j' });
const published = () => true;

describe('JwtMemo', () => {
  it('recalls a verified token until its exp, not at or after it', () => {
    const memo = new JwtMemo();
    memo.remember('t', 'kid1', claims(1_000));
    expect(memo.recall('t', 999_999, published)?.sub).toBe('s');
    expect(memo.recall('t', 1_000_000, published)).toBeUndefined();
    // Forgotten once expired, even if the clock went back.
    expect(memo.recall('t', 0, published)).toBeUndefined();
  });

  it('forgets a token whose signing key is no longer published', () => {
    const memo = new JwtMemo();
    memo.remember('t', 'kid1', claims(1_000));
    expect(memo.recall('t', 0, (kid) => kid !== 'kid1')).toBeUndefined();
    expect(memo.recall('t', 0, published)).toBeUndefined();
  });

  it('recalls only the exact text and stays within its bound', () => {
    const memo = new JwtMemo(2);
    memo.remember('a', 'k', claims(1_000));
    memo.remember('b', 'k', claims(1_000));
    memo.remember('c', 'k', claims(1_000));
    expect(memo.recall('a', 0, published)).toBeUndefined();
    expect(memo.recall('b', 0, published)).toBeDefined();
    expect(memo.recall('c', 0, published)).toBeDefined();
    expect(memo.recall('c ', 0, published)).toBeUndefined();
  });
});
