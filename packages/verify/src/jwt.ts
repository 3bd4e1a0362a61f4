/**
 * Offline verification of JWT access tokens (RFC 9068) — the JWTs `POST /v0/auth` issues and
 * the JWT access tokens of OAuth apps — with jose's `jwtVerify`: signature against the
 * published key named by `kid`, allow-listed `alg`, `typ: at+jwt`, `iss`, `aud`, `exp`
 * (RFC 8725 §3.1, §3.8, §3.11), and the RFC 9068 §2.2 claims present.
 *
 * A token that verified is remembered by its exact text until it expires (bounded in number),
 * so a client that sends the same token on every call costs one signature check, not one per
 * call. Expiry is checked again on every use; when a key leaves the published set, every
 * remembered result is dropped.
 */
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { invalidToken } from './errors.js';
import type { JwksCache } from './jwks.js';
import { parseScope } from './scopes.js';
import type { VerifiedCredential } from './verifier.js';

export const JWT_TYP = 'at+jwt';
export const INVALID_JWT = 'Invalid or expired access token';

/** Three base64url segments: a JWS in compact serialization (RFC 7515 §7.1). */
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
export const looksLikeJwt = (token: string): boolean => JWS_SHAPE.test(token);

export interface JwtOptions {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  now: () => number;
  /** How many verified tokens to remember; 0 turns the memo off. */
  maxRemembered: number;
}

export class JwtVerifier {
  private readonly remembered = new Map<string, VerifiedCredential & { expiresAt: number }>();

  constructor(
    private readonly jwks: JwksCache,
    private readonly opts: JwtOptions,
  ) {}

  /** Forget every remembered result (the key set changed). */
  forget(): void {
    this.remembered.clear();
  }

  async verify(token: string): Promise<VerifiedCredential> {
    const now = this.opts.now();
    // A stale key set is refetched first: a key that left it takes its remembered tokens along.
    if (this.remembered.size > 0) await this.jwks.keepFresh(now);
    const known = this.remembered.get(token);
    if (known) {
      if (known.expiresAt > now) return { ...known, scopes: [...known.scopes] };
      this.remembered.delete(token);
      throw invalidToken(INVALID_JWT);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (header) => {
          const key = await this.jwks.key(header.kid, header.alg);
          if (!key) throw new joseErrors.JWKSNoMatchingKey();
          return key;
        },
        {
          issuer: this.opts.issuer,
          audience: this.opts.audience,
          typ: JWT_TYP,
          algorithms: [...this.opts.algorithms],
          currentDate: new Date(now),
          requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'jti'],
        },
      ));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) throw invalidToken(INVALID_JWT);
      throw err;
    }
    const { sub, client_id: clientId, exp } = payload;
    if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof exp !== 'number') throw invalidToken(INVALID_JWT);
    if (payload.scope !== undefined && typeof payload.scope !== 'string') throw invalidToken(INVALID_JWT);
    const credential = { kind: 'jwt' as const, subject: sub, scopes: parseScope(payload.scope), clientId, expiresAt: exp * 1000 };
    this.remember(token, credential);
    return { ...credential, scopes: [...credential.scopes] };
  }

  private remember(token: string, credential: VerifiedCredential & { expiresAt: number }): void {
    if (this.opts.maxRemembered <= 0) return;
    if (this.remembered.size >= this.opts.maxRemembered) {
      // Oldest first: Map iteration follows insertion order.
      const oldest = this.remembered.keys().next();
      if (!oldest.done) this.remembered.delete(oldest.value);
    }
    this.remembered.set(token, credential);
  }
}
