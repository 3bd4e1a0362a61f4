/**
 * Key-pair mode: `POST /v0/auth` with `{key_id, key_secret, scopes}` buys a short-lived JWT,
 * which is cached and renewed shortly before `expires_in` runs out. However many calls wait,
 * one request is in flight (single-flight). If a renewal fails for a passing reason (network,
 * 5xx, 429) while the cached token is still valid, the cached token is used and the next call
 * tries again; a refusal of the key pair (401, 403) is thrown at once.
 */
import { type CredentialSource, DEFAULT_RENEW_BEFORE_SECONDS, renewalTime } from './credentials.js';
import { GatehouseApiError, GatehouseClientError, isObject, isTransient } from './errors.js';
import { fetchWithRetry } from './retry.js';
import type { Runtime } from './runtime.js';
import { SingleFlight } from './single-flight.js';

export interface KeyPairOptions {
  /** The key's public id (`key_…`). */
  keyId: string;
  /** The secret of the same key (`sk_…`). */
  keySecret: string;
  /** Scopes to ask for; at least one. */
  scopes: readonly string[];
  /** Renew this many seconds before expiry (default 30; at most half the token's lifetime). */
  renewBeforeSeconds?: number | undefined;
}

interface Cached {
  token: string;
  renewAt: number;
  expiresAt: number;
}

export class KeyPairCredentials implements CredentialSource {
  private cached: Cached | undefined;
  private readonly flight = new SingleFlight<Cached>();

  constructor(
    private readonly runtime: Runtime,
    private readonly authUrl: string,
    private readonly options: KeyPairOptions,
  ) {
    if (!options.keyId || !options.keySecret) throw new GatehouseClientError('missing_key_pair', 'keyPair needs keyId and keySecret');
    if (options.scopes.length === 0) throw new GatehouseClientError('missing_scopes', 'keyPair needs at least one scope');
  }

  async token(): Promise<string> {
    const cached = this.cached;
    if (cached && this.runtime.now() < cached.renewAt) return cached.token;
    try {
      return (await this.flight.run(() => this.obtain())).token;
    } catch (err) {
      if (isTransient(err) && cached && this.cached === cached && this.runtime.now() < cached.expiresAt) return cached.token;
      throw err;
    }
  }

  async rejected(rejected: string): Promise<string> {
    // Another call already renewed: use its token.
    if (this.cached && this.cached.token !== rejected) return this.cached.token;
    if (this.cached?.token === rejected) this.cached = undefined;
    return (await this.flight.run(() => this.obtain())).token;
  }

  private async obtain(): Promise<Cached> {
    const startedAt = this.runtime.now();
    const res = await fetchWithRetry(this.runtime, this.authUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ key_id: this.options.keyId, key_secret: this.options.keySecret, scopes: this.options.scopes }),
    });
    if (!res.ok) throw await GatehouseApiError.fromResponse(res);
    const body = (await res.json()) as unknown;
    if (!isObject(body) || typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new GatehouseClientError('invalid_response', 'POST /v0/auth answered without access_token and expires_in');
    }
    const cached: Cached = {
      token: body.access_token,
      renewAt: renewalTime(startedAt, body.expires_in, this.options.renewBeforeSeconds ?? DEFAULT_RENEW_BEFORE_SECONDS),
      expiresAt: startedAt + body.expires_in * 1000,
    };
    this.cached = cached;
    return cached;
  }
}
