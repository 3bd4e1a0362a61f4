/**
 * `createVerifier({ issuer, audience })`: one object that checks every credential Gatehouse
 * issues, as seen by a resource server.
 *
 *  - JWTs (three base64url segments: from `POST /v0/auth`, or JWT access tokens of OAuth apps)
 *    are verified offline against the issuer's published keys (see jwt.ts and jwks.ts).
 *  - Anything else (`sk_…` API keys, `at_…` access tokens) is opaque: it is checked by
 *    introspection (see introspection.ts), which needs the credentials of a confidential app.
 *
 * Where the keys and the introspection endpoint live comes from the issuer's RFC 8414
 * metadata. A failure to reach the issuer is a `VerifierUnavailableError`, never a 401.
 */
import { Discovery } from './discovery.js';
import { invalidToken } from './errors.js';
import { Introspector } from './introspection.js';
import { JwksCache, VERIFY_ALGS, type VerifyAlg } from './jwks.js';
import { JwtVerifier, looksLikeJwt } from './jwt.js';

export type CredentialKind = 'jwt' | 'api_key' | 'oauth';

export interface VerifiedCredential {
  /** `jwt`: a JWT (key-pair exchange or OAuth JWT access token); `api_key`: `sk_…`; `oauth`: `at_…`. */
  kind: CredentialKind;
  /** The account the credential acts for (`sub`). */
  subject: string;
  scopes: string[];
  /** The API key id (`key_…`) or OAuth app id (`app_…`) behind the credential, when known. */
  clientId: string | null;
  /** When the credential expires, in milliseconds since the epoch; absent when it does not. */
  expiresAt?: number;
}

/** What adapters need: anything that turns a token into a credential or throws `VerifyError`. */
export interface Verifier {
  verify(token: string): Promise<VerifiedCredential>;
}

export interface VerifierOptions {
  /** The Gatehouse issuer URL, exactly as in its metadata (e.g. `https://id.example.com`). */
  issuer: string;
  /** The `aud` your tokens carry (Gatehouse's `GATEHOUSE_AUDIENCE`; by default its issuer URL). */
  audience: string;
  /** A confidential app's credentials, to introspect opaque `sk_…` and `at_…` credentials. */
  introspection?: { clientId: string; clientSecret: string };
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** The current time in milliseconds since the epoch (tests pass a fake clock). */
  now?: () => number;
  /** How long an introspection answer is reused; bounds revocation delay. Default 5000 ms. */
  cacheTtlMs?: number;
  /** Most introspection answers kept at once. Default 10000. */
  cacheMaxEntries?: number;
  /** Algorithms accepted; a subset of `['ES256', 'EdDSA']` (the default: both). */
  algorithms?: readonly VerifyAlg[];
  /** How long the JWKS is kept before a refetch. Default 300000 ms (Gatehouse's max-age). */
  jwksMaxAgeMs?: number;
  /** Least time between two JWKS fetches caused by unknown `kid`s. Default 5000 ms. */
  jwksCooldownMs?: number;
  /** Verified JWTs remembered until they expire. Default 10000; 0 turns this off. */
  jwtMemoSize?: number;
}

export interface GatehouseVerifier extends Verifier {
  /** Counters for operators and tests: how often the issuer was asked. */
  stats(): { jwksFetches: number; introspections: number };
}

export const DEFAULT_CACHE_TTL_MS = 5_000;
export const DEFAULT_JWKS_COOLDOWN_MS = 5_000;
export const DEFAULT_JWKS_MAX_AGE_MS = 300_000;
/** Longer tokens are refused without asking anyone. */
export const MAX_TOKEN_LENGTH = 8192;

function assertNonNegative(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new TypeError(`${name} must be a non-negative number`);
}

export function createVerifier(options: VerifierOptions): GatehouseVerifier {
  const { issuer, audience } = options;
  if (!/^https?:\/\/[^/]/.test(issuer)) throw new TypeError('issuer must be an http(s) URL');
  if (!audience) throw new TypeError('audience is required');
  for (const name of ['cacheTtlMs', 'cacheMaxEntries', 'jwksMaxAgeMs', 'jwksCooldownMs', 'jwtMemoSize'] as const) assertNonNegative(name, options[name]);
  const algorithms = options.algorithms ?? VERIFY_ALGS;
  const unknownAlg = algorithms.filter((a) => !(VERIFY_ALGS as readonly string[]).includes(a));
  if (unknownAlg.length > 0 || algorithms.length === 0) throw new TypeError(`algorithms must be a non-empty subset of ${VERIFY_ALGS.join(', ')}`);
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const discovery = new Discovery(issuer, fetchFn);

  let jwt: JwtVerifier | undefined;
  const jwks = new JwksCache(discovery, fetchFn, {
    algorithms,
    maxAgeMs: options.jwksMaxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS,
    cooldownMs: options.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
    now,
    onKeysRemoved: () => jwt?.forget(),
  });
  jwt = new JwtVerifier(jwks, { issuer, audience, algorithms, now, maxRemembered: options.jwtMemoSize ?? 10_000 });
  const introspector = options.introspection
    ? new Introspector(discovery, fetchFn, {
        issuer,
        audience,
        clientId: options.introspection.clientId,
        clientSecret: options.introspection.clientSecret,
        ttlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
        maxEntries: Math.max(1, options.cacheMaxEntries ?? 10_000),
        now,
      })
    : undefined;
  const jwtVerifier = jwt;

  return {
    async verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) throw invalidToken();
      if (looksLikeJwt(token)) return jwtVerifier.verify(token);
      if (!introspector) throw invalidToken('Opaque tokens are not accepted here: introspection is not configured');
      return introspector.verify(token);
    },
    stats: () => ({ jwksFetches: jwks.fetches, introspections: introspector?.requests ?? 0 }),
  };
}
