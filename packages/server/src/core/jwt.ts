/**
 * JWT access tokens per RFC 9068: header `typ: at+jwt`, claims iss, sub, aud, client_id,
 * scope, iat, exp, jti. Verification allow-lists algorithms per key, and checks typ, iss,
 * aud and exp (RFC 8725 §3.1, §3.8, §3.11).
 */
import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT, errors as joseErrors, jwtVerify } from 'jose';
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
  const iat = Math.floor(clock.now() / 1000);
  return new SignJWT({ client_id: input.clientId, scope: input.scopes.join(' ') })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: JWT_TYP })
    .setIssuer(input.issuer)
    .setSubject(input.subject)
    .setAudience(input.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + input.ttlSeconds)
    .setJti(randomUUID())
    .sign(signer.key);
}

export const INVALID_TOKEN_DETAIL = 'Invalid or expired access token';

export async function verifyAccessToken(
  keyset: Keyset,
  clock: Clock,
  token: string,
  expect: { issuer: string; audience: string },
  memo?: JwtMemo,
): Promise<AccessTokenClaims> {
  const remembered = memo?.recall(token, clock.now(), (kid) => keyset.isPublished(kid));
  if (remembered) return remembered;
  let payload: JWTPayload;
  let kid = '';
  try {
    ({ payload, protectedHeader: { kid = '' } } = await jwtVerify(
      token,
      async (header) => {
        const key = header.kid ? await keyset.verificationKey(header.kid, header.alg) : undefined;
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key;
      },
      {
        issuer: expect.issuer,
        audience: expect.audience,
        typ: JWT_TYP,
        algorithms: [...SIGNING_ALGS],
        currentDate: new Date(clock.now()),
        requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'scope', 'jti'],
      },
    ));
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) throw unauthenticated(INVALID_TOKEN_DETAIL);
    throw err;
  }
  if (typeof payload.client_id !== 'string' || typeof payload.scope !== 'string' || typeof payload.sub !== 'string') {
    throw unauthenticated(INVALID_TOKEN_DETAIL);
  }
  const claims = payload as unknown as AccessTokenClaims;
  memo?.remember(token, kid, claims);
  return claims;
}
