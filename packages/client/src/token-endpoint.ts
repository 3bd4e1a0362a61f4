/**
 * Requests to the token and revocation endpoints (RFC 6749 §3.2, §5; RFC 7009): form-encoded,
 * with the client authenticated by `client_secret_basic`, `client_secret_post`, or — for public
 * apps — only its `client_id` (`none`). Answers become a `TokenSet`; errors a
 * `GatehouseOAuthError`.
 */
import { basicAuthorization } from './encoding.js';
import { GatehouseClientError, GatehouseOAuthError, isObject } from './errors.js';
import { fetchWithRetry } from './retry.js';
import type { Runtime } from './runtime.js';
import type { TokenSet } from './storage.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ClientAuth {
  clientId: string;
  clientSecret?: string | undefined;
  method: ClientAuthMethod;
}

/** Default: `client_secret_basic` with a secret (every server must support it), `none` without. */
export function clientAuth(clientId: string, clientSecret: string | undefined, method: ClientAuthMethod | undefined): ClientAuth {
  const m = method ?? (clientSecret ? 'client_secret_basic' : 'none');
  if (m !== 'none' && !clientSecret) throw new GatehouseClientError('missing_client_secret', `${m} needs clientSecret`);
  return { clientId, clientSecret, method: m };
}

/** POSTs `params` with client authentication; returns the raw answer (429s already retried). */
export async function postForm(runtime: Runtime, endpoint: string, auth: ClientAuth, params: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
  const body = new URLSearchParams(params);
  if (auth.method === 'client_secret_basic') {
    headers.Authorization = basicAuthorization(auth.clientId, auth.clientSecret ?? '');
  } else {
    body.set('client_id', auth.clientId);
    if (auth.method === 'client_secret_post') body.set('client_secret', auth.clientSecret ?? '');
  }
  return fetchWithRetry(runtime, endpoint, { method: 'POST', headers, body: body.toString() });
}

/** A token request; `startedAt` anchors `expires_in`. */
export async function requestTokens(runtime: Runtime, endpoint: string, auth: ClientAuth, params: Record<string, string>): Promise<TokenSet> {
  const startedAt = runtime.now();
  const res = await postForm(runtime, endpoint, auth, params);
  if (!res.ok) throw await GatehouseOAuthError.fromResponse(res);
  const body = (await res.json()) as unknown;
  if (!isObject(body) || typeof body.access_token !== 'string' || typeof body.token_type !== 'string') {
    throw new GatehouseClientError('invalid_response', 'The token endpoint answered without access_token and token_type');
  }
  // RFC 6749 §5.1: expires_in is recommended, not required; without it, assume one hour.
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
  return {
    accessToken: body.access_token,
    tokenType: body.token_type,
    expiresAt: startedAt + expiresIn * 1000,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    scope: typeof body.scope === 'string' ? body.scope : (params.scope ?? ''),
  };
}
