/**
 * How `Gatehouse` gets the bearer token it sends: a fixed API key, a JWT bought with a key
 * pair, or an OAuth access token. Sources that can renew get one chance to do so when the
 * server rejects a token (401 `invalid_token`).
 */
import { GatehouseClientError } from './errors.js';

export interface CredentialSource {
  /** A token to send now (renewing it first when it is about to expire). */
  token(): Promise<string>;
  /**
   * The server rejected `rejected`: a different token to retry with, or undefined when the
   * source cannot renew. Concurrent callers with the same rejected token share one renewal.
   */
  rejected(rejected: string): Promise<string | undefined>;
}

/** The default head start of a renewal: 30 s before expiry. */
export const DEFAULT_RENEW_BEFORE_SECONDS = 30;

/**
 * When to renew a token that lives `expiresInSeconds` from `obtainedAt`: `renewBeforeSeconds`
 * before it expires, but never earlier than half its lifetime (so a short-lived token is not
 * renewed on every call).
 */
export function renewalTime(obtainedAt: number, expiresInSeconds: number, renewBeforeSeconds: number): number {
  const lead = Math.min(Math.max(0, renewBeforeSeconds), expiresInSeconds / 2);
  return obtainedAt + (expiresInSeconds - lead) * 1000;
}

export class ApiKeyCredentials implements CredentialSource {
  constructor(private readonly apiKey: string) {
    if (!apiKey) throw new GatehouseClientError('missing_api_key', 'apiKey is empty (is the environment variable set?)');
  }

  async token(): Promise<string> {
    return this.apiKey;
  }

  async rejected(): Promise<undefined> {
    return undefined;
  }
}
