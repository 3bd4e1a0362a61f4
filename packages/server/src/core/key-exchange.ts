/**
 * Key-pair exchange (`POST /v0/auth`): a key_id and its secret buy a short-lived JWT with the
 * scopes asked for. Order of checks: unknown scope (400) → credentials (401, one message
 * whatever failed, so there is no oracle) → scopes allowed for the key (403). Scopes are never
 * silently narrowed. Failures are throttled per key_id and per IP.
 */
import type { Runtime } from './runtime.js';
import { forbidden, unauthenticated } from './errors.js';
import { issueAccessToken } from './jwt.js';
import type { KeyVerifier } from './key-verifier.js';
import { assertKnown, missing, normalize } from './scopes.js';
import { safeEqual } from './credentials.js';
import { type ThrottleRule, assertNotThrottled, countFailure } from './throttle.js';

export const EXCHANGE_FAILED = 'Invalid key_id or key_secret';
const PER_KEY: ThrottleRule = { limit: 10, windowMs: 5 * 60_000 };
const PER_IP: ThrottleRule = { limit: 50, windowMs: 5 * 60_000 };

export interface ExchangeResult {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export async function exchangeKeyPair(
  rt: Runtime,
  input: { keyId: string; keySecret: string; scopes: readonly string[]; ip: string | null },
): Promise<ExchangeResult> {
  const scopes = normalize(input.scopes);
  assertKnown(rt.scopes, scopes);
  const keyKey = `v0auth:key:${input.keyId.slice(0, 64)}`;
  const ipKey = `v0auth:ip:${input.ip ?? 'unknown'}`;
  await assertNotThrottled(rt, 'key_exchange', [ipKey, PER_IP], [keyKey, PER_KEY]);
  let key: Awaited<ReturnType<KeyVerifier['verify']>>;
  try {
    key = await rt.apiKeys.verify(input.keySecret);
    if (!safeEqual(key.id, input.keyId)) throw unauthenticated(EXCHANGE_FAILED);
  } catch (err) {
    await countFailure(rt.limiter, [ipKey, PER_IP], [keyKey, PER_KEY]);
    if ((err as { code?: string }).code === 'unauthenticated') throw unauthenticated(EXCHANGE_FAILED);
    throw err;
  }
  const refused = missing(key.scopes, scopes);
  if (refused.length > 0) {
    throw forbidden(`The key is not allowed these scopes: ${refused.join(' ')}`, { refused_scopes: refused, allowed_scopes: key.scopes });
  }
  const { issuer, audience, jwtTtlSeconds } = rt.config;
  const accessToken = await issueAccessToken(rt.keyset, rt.clock, {
    issuer,
    audience,
    subject: key.ownerId,
    clientId: key.id,
    scopes,
    ttlSeconds: jwtTtlSeconds,
  });
  return { access_token: accessToken, token_type: 'Bearer', expires_in: jwtTtlSeconds, scope: scopes.join(' ') };
}
