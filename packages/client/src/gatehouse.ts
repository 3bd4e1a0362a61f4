/**
 * `Gatehouse`: a `fetch` for an API protected by Gatehouse that adds
 * `Authorization: Bearer <token>` from one of three credential modes:
 *
 *   new Gatehouse({ baseUrl, apiKey: 'sk_…' })
 *   new Gatehouse({ baseUrl, keyPair: { keyId, keySecret, scopes } })      // JWT from POST /v0/auth
 *   new Gatehouse({ baseUrl, oauth: { clientId, clientSecret, redirectUri } }) // see gh.oauth
 *
 * Tokens are only ever sent to `baseUrl`'s origin. A 401 `invalid_token` makes a renewable
 * mode renew once and retry; 429s are retried as retry.ts describes.
 */
import { ApiKeyCredentials, type CredentialSource } from './credentials.js';
import { normalizeIssuer } from './discovery.js';
import { GatehouseApiError, GatehouseClientError } from './errors.js';
import { KeyPairCredentials, type KeyPairOptions } from './key-pair.js';
import { GatehouseOAuth, type OAuthClientOptions } from './oauth.js';
import { fetchWithRetry, isReplayable } from './retry.js';
import { type Runtime, type RuntimeOptions, resolveRuntime } from './runtime.js';

export interface GatehouseBaseOptions extends RuntimeOptions {
  /** The API's base URL; paths given to `fetch` and `json` are relative to it. */
  baseUrl: string | URL | undefined;
  /** The Gatehouse server (for `/v0/auth` and OAuth) when it is not at `baseUrl`. */
  issuer?: string | URL | undefined;
}

export type GatehouseOptions = GatehouseBaseOptions &
  (
    | { apiKey: string | undefined; keyPair?: never; oauth?: never }
    | { keyPair: KeyPairOptions; apiKey?: never; oauth?: never }
    | { oauth: OAuthClientOptions; apiKey?: never; keyPair?: never }
  );

/** `RequestInit` plus `json`: a value sent as the JSON body (with `Content-Type: application/json`). */
export type JsonRequestInit = RequestInit & { json?: unknown };

export class Gatehouse {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly runtime: Runtime;
  private readonly credentials: CredentialSource;
  private readonly oauthClient: GatehouseOAuth | undefined;

  constructor(options: GatehouseOptions) {
    if (options.baseUrl === undefined || String(options.baseUrl) === '') throw new GatehouseClientError('missing_base_url', 'baseUrl is required');
    this.baseUrl = normalizeIssuer(options.baseUrl);
    this.origin = new URL(this.baseUrl).origin;
    this.runtime = resolveRuntime(options);
    const issuer = normalizeIssuer(options.issuer ?? this.baseUrl);
    if (options.keyPair) {
      this.credentials = new KeyPairCredentials(this.runtime, `${issuer}/v0/auth`, options.keyPair);
    } else if (options.oauth) {
      this.oauthClient = new GatehouseOAuth({ ...options.oauth, issuer, fetch: this.runtime.fetch, now: this.runtime.now, sleep: this.runtime.sleep, retry: this.runtime.retry });
      this.credentials = this.oauthClient.credentials();
    } else if ('apiKey' in options) {
      this.credentials = new ApiKeyCredentials(options.apiKey ?? '');
    } else {
      throw new GatehouseClientError('missing_credentials', 'Pass one of apiKey, keyPair or oauth');
    }
  }

  /** The OAuth helpers (authorization URL, callback, refresh, revoke); only in OAuth mode. */
  get oauth(): GatehouseOAuth {
    if (!this.oauthClient) throw new GatehouseClientError('not_oauth_mode', 'gh.oauth exists only when Gatehouse is created with { oauth }');
    return this.oauthClient;
  }

  /** The bearer token the next call would send (renewed first when needed). */
  accessToken(): Promise<string> {
    return this.credentials.token();
  }

  /** `fetch` with the credentials added. HTTP errors are returned, not thrown (like `fetch`). */
  async fetch(path: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = this.resolve(path);
    const token = await this.credentials.token();
    let res = await fetchWithRetry(this.runtime, url, withBearer(init, token));
    if (res.status === 401 && isReplayable(init.body) && rejectsToken(res)) {
      const fresh = await this.credentials.rejected(token);
      if (fresh !== undefined && fresh !== token) {
        await res.body?.cancel();
        res = await fetchWithRetry(this.runtime, url, withBearer(init, fresh));
      }
    }
    return res;
  }

  /** A JSON call: the parsed body of a 2xx answer (undefined when empty); any other status throws `GatehouseApiError`. */
  async json<T = unknown>(path: string | URL, init: JsonRequestInit = {}): Promise<T> {
    const { json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (!headers.has('accept')) headers.set('Accept', 'application/json');
    if (json !== undefined) {
      headers.set('Content-Type', 'application/json');
      rest.body = JSON.stringify(json);
    }
    const res = await this.fetch(path, { ...rest, headers });
    if (!res.ok) throw await GatehouseApiError.fromResponse(res);
    const text = await res.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (err) {
      throw new GatehouseClientError('invalid_response', `${res.status} answer is not JSON`, { cause: err });
    }
  }

  /** An absolute URL on `baseUrl`'s origin; anything else is refused so tokens never leak elsewhere. */
  private resolve(path: string | URL): string {
    if (typeof path === 'string' && path.startsWith('/') && !path.startsWith('//')) return `${this.baseUrl}${path}`;
    const url = new URL(path, `${this.baseUrl}/`);
    if (url.origin !== this.origin) {
      throw new GatehouseClientError('foreign_origin', `Refusing to send credentials to ${url.origin} (baseUrl is ${this.origin})`);
    }
    return url.toString();
  }
}

function withBearer(init: RequestInit, token: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/** RFC 6750 §3.1: `invalid_token` (or no readable challenge, e.g. hidden by CORS) means "renew". */
function rejectsToken(res: Response): boolean {
  const challenge = res.headers.get('www-authenticate');
  return challenge === null || /error="?invalid_token/i.test(challenge);
}
