/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3):
 * `client_secret_basic`, `client_secret_post`, or `none` for public clients. One method per
 * request. Failures are throttled per client_id and per IP.
 */
import { hashSecret, isWellFormedSecret, safeEqual } from '../credentials.js';
import type { Runtime } from '../runtime.js';
import { invalidRequest, oauthError } from '../errors.js';
import { type ThrottleRule, assertNotThrottled, countFailure } from '../throttle.js';
import type { ClientRecord } from '../model/client.js';

const PER_CLIENT: ThrottleRule = { limit: 20, windowMs: 5 * 60_000 };
const PER_IP: ThrottleRule = { limit: 100, windowMs: 5 * 60_000 };

export interface ClientCredentials {
  /** From `Authorization: Basic` (already form-url-decoded per RFC 6749 §2.3.1). */
  basic?: { id: string; secret: string } | undefined;
  /** From the form body. */
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export const CLIENT_AUTH_FAILED = 'Client authentication failed';

export async function authenticateClient(
  rt: Runtime,
  creds: ClientCredentials,
  ip: string | null,
): Promise<{ client: ClientRecord; method: AuthMethod }> {
  if (creds.basic && creds.clientSecret !== undefined) throw invalidRequest('Use one client authentication method, not several');
  if (creds.basic && creds.clientId !== undefined && creds.clientId !== creds.basic.id) {
    throw invalidRequest('client_id in the body differs from the one in the Authorization header');
  }
  const clientId = creds.basic?.id ?? creds.clientId;
  if (!clientId) throw oauthError('invalid_client', 'Client authentication is required');
  const secret = creds.basic?.secret ?? creds.clientSecret;
  const method: AuthMethod = creds.basic ? 'client_secret_basic' : secret !== undefined ? 'client_secret_post' : 'none';
  const clientKey = `client:${clientId.slice(0, 64)}`;
  const ipKey = `client-ip:${ip ?? 'unknown'}`;
  await assertNotThrottled(rt, 'client_auth', [ipKey, PER_IP], [clientKey, PER_CLIENT]);

  const client = await (rt.clients.get(clientId));
  const ok =
    client !== undefined &&
    (client.type === 'public'
      ? method === 'none'
      : secret !== undefined &&
        client.secretHash !== null &&
        isWellFormedSecret(secret, rt.config.prefixes.clientSecret) &&
        safeEqual(hashSecret(secret), client.secretHash));
  if (!ok || !client) {
    await countFailure(rt.limiter, [ipKey, PER_IP], [clientKey, PER_CLIENT]);
    throw oauthError('invalid_client', CLIENT_AUTH_FAILED);
  }
  return { client, method };
}
