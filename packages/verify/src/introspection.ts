/**
 * Opaque credentials (`sk_…` API keys, `at_…` access tokens) are checked by token
 * introspection (RFC 7662) at the metadata's `introspection_endpoint`, authenticated as a
 * confidential app with HTTP Basic (`client_secret_basic`, RFC 6749 §2.3.1).
 *
 * Answers are cached for `ttlMs` (default 5 s), keyed by the SHA-256 of the token (the cache
 * holds no secrets), and concurrent checks of one token share one request. This TTL bounds
 * revocation: a key or token revoked at Gatehouse is refused here at most `ttlMs` later.
 * A cached answer never outlives the credential's own `exp`.
 */
import type { Discovery } from './discovery.js';
import { fetchJson } from './discovery.js';
import { INVALID_TOKEN, VerifierUnavailableError, VerifyError, invalidToken } from './errors.js';
import { parseScope } from './scopes.js';
import type { VerifiedCredential } from './verifier.js';

export interface IntrospectionOptions {
  issuer: string;
  audience: string;
  clientId: string;
  clientSecret: string;
  ttlMs: number;
  maxEntries: number;
  now: () => number;
}

interface Entry {
  until: number;
  answer: Promise<VerifiedCredential | VerifyError>;
}

// RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
const formEncode = (s: string) => new URLSearchParams([['', s]]).toString().slice(1);

async function digest(token: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export class Introspector {
  private readonly cache = new Map<string, Entry>();
  private readonly authorization: string;
  /** How many introspection requests were sent (for operators and tests). */
  requests = 0;

  constructor(
    private readonly discovery: Discovery,
    private readonly fetchFn: typeof fetch,
    private readonly opts: IntrospectionOptions,
  ) {
    this.authorization = `Basic ${btoa(`${formEncode(opts.clientId)}:${formEncode(opts.clientSecret)}`)}`;
  }

  async verify(token: string): Promise<VerifiedCredential> {
    const key = await digest(token);
    const now = this.opts.now();
    let entry = this.cache.get(key);
    if (!entry || entry.until <= now) {
      if (entry) this.cache.delete(key);
      entry = { until: now + this.opts.ttlMs, answer: this.introspect(token) };
      const created = entry;
      if (this.opts.ttlMs > 0) this.store(key, created);
      // Failures to reach the server are not answers: never cache them.
      created.answer.catch(() => {
        if (this.cache.get(key) === created) this.cache.delete(key);
      });
    }
    const answer = await entry.answer;
    if (answer instanceof VerifyError) throw invalidToken(answer.detail);
    if (answer.expiresAt !== undefined && answer.expiresAt <= this.opts.now()) throw invalidToken(INVALID_TOKEN);
    return { ...answer, scopes: [...answer.scopes] };
  }

  private store(key: string, entry: Entry): void {
    if (this.cache.size >= this.opts.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, entry);
  }

  private async introspect(token: string): Promise<VerifiedCredential | VerifyError> {
    const { introspection_endpoint: endpoint } = await this.discovery.metadata();
    if (!endpoint) throw new VerifierUnavailableError('the authorization server metadata has no introspection_endpoint');
    this.requests++;
    const body = await fetchJson(this.fetchFn, endpoint, {
      method: 'POST',
      headers: { Authorization: this.authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    return this.interpret(body);
  }

  /** RFC 7662 §2.2: only `active: true` counts; then the answer must be for us. */
  private interpret(r: Record<string, unknown>): VerifiedCredential | VerifyError {
    if (r.active !== true) return invalidToken();
    // A refresh token is not a credential for calling an API (RFC 6749 §1.5).
    if (r.token_type === 'refresh_token') return invalidToken();
    if (r.iss !== undefined && r.iss !== this.opts.issuer) return invalidToken();
    if (r.aud !== undefined) {
      const aud = Array.isArray(r.aud) ? r.aud : [r.aud];
      if (!aud.includes(this.opts.audience)) return invalidToken();
    }
    if (typeof r.sub !== 'string' || r.sub.length === 0) return invalidToken();
    if (r.exp !== undefined && typeof r.exp !== 'number') return invalidToken();
    const credential: VerifiedCredential = {
      kind: r.token_type === 'api_key' ? 'api_key' : 'oauth',
      subject: r.sub,
      scopes: parseScope(r.scope),
      clientId: typeof r.client_id === 'string' ? r.client_id : null,
    };
    if (typeof r.exp === 'number') {
      credential.expiresAt = r.exp * 1000;
      if (credential.expiresAt <= this.opts.now()) return invalidToken();
    }
    return credential;
  }
}
