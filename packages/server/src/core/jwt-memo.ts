/**
 * Verified JWTs remembered by their exact text until they expire, so a client that sends the
 * same token on every call costs one signature check, not one per request (the ES256 check was
 * a third of the hot path). Bounded; an entry is used only while its signing key is still
 * published, and never past `exp`.
 */
import type { AccessTokenClaims } from './jwt.js';

interface Entry {
  claims: AccessTokenClaims;
  kid: string;
}

export class JwtMemo {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  recall(token: string, nowMs: number, isPublished: (kid: string) => boolean): AccessTokenClaims | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.claims.exp * 1000 <= nowMs || !isPublished(hit.kid)) {
      this.entries.delete(token);
      return undefined;
    }
    return hit.claims;
  }

  remember(token: string, kid: string, claims: AccessTokenClaims): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { claims, kid });
  }
}
