/**
 * JWT access tokens per RFC 9068: header `typ: at+jwt`, claims iss, sub, aud, client_id,
 * scope, iat, exp, jti. Signed and verified synchronously on `node:crypto` keys with the
 * compact-JWS code of the verify library (verify/jws.ts, verify/jwt-claims.ts). Verification
 * allow-lists algorithms per key, and checks typ, iss, aud, exp and nbf (RFC 8725 §3.1, §3.8,
 * §3.11); every refusal is the same `unauthenticated` error, whatever the reason.
 */
import { randomUUID } from 'node:crypto';
import { decodeJws, signJws, verifyJws } from '../verify/jws.js';
import { claimsHold, epochSeconds } from '../verify/jwt-claims.js';
import type { Clock } from './clock.js';
import { unauthenticated } from './errors.js';
import type { JwtMemo } from './jwt-memo.js';
import type { Keyset } from './keyset.js';
import { SIGNING_ALGS } from './signing-keys.js';

export const JWT_TYP = 'at+jwt';

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
}

export interface IssueInput {
  issuer: string;
  audience: string;
  subject: string;
  clientId: string;
  scopes: readonly string[];
  ttlSeconds: number;
}

export async function issueAccessToken(keyset: Keyset, clock: Clock, input: IssueInput): Promise<string> {
  const signer = await keyset.signer();
  const iat = epochSeconds(clock.now());
  const exp = iat + input.ttlSeconds;
  if (!Number.isFinite(exp)) throw new TypeError('the token lifetime must be a finite number of seconds');
  // Claim order as jose's SignJWT wrote it, so tokens look the same as before.
  const claims = {
    client_id: input.clientId,
    scope: input.scopes.join(' '),
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    iat,
    exp,
    jti: randomUUID(),
  } satisfies AccessTokenClaims;
  return signJws({ alg: signer.alg, kid: signer.kid, typ: JWT_TYP }, claims, signer.key);
}

export const INVALID_TOKEN_DETAIL = 'Invalid or expired access token';

/** RFC 9068 §2.2 (this server always issues `scope`); `iss` and `aud` are checked by value. */
const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'client_id', 'scope', 'jti'] as const;

export async function verifyAccessToken(
  keyset: Keyset,
  clock: Clock,
  token: string,
  expect: { issuer: string; audience: string },
  memo?: JwtMemo,
): Promise<AccessTokenClaims> {
  const remembered = memo?.recall(token, clock.now(), (kid) => keyset.isPublished(kid));
  if (remembered) return remembered;
  const jws = decodeJws(token, { algorithms: SIGNING_ALGS, typ: JWT_TYP });
  if (!jws) throw unauthenticated(INVALID_TOKEN_DETAIL);
  const key = await keyset.verificationKey(jws.header.kid, jws.header.alg);
  const payload = key ? verifyJws(jws, key) : undefined;
  const expected = { issuer: expect.issuer, audience: expect.audience, now: epochSeconds(clock.now()), required: REQUIRED_CLAIMS };
  if (!payload || !claimsHold(payload, expected)) throw unauthenticated(INVALID_TOKEN_DETAIL);
  if (typeof payload.client_id !== 'string' || typeof payload.scope !== 'string' || typeof payload.sub !== 'string') {
    throw unauthenticated(INVALID_TOKEN_DETAIL);
  }
  const claims = payload as unknown as AccessTokenClaims;
  memo?.remember(token, jws.header.kid, claims);
  return claims;
}
