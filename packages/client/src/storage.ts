/**
 * Where OAuth tokens live between calls. The SDK only needs three async operations, so an app
 * can keep tokens in memory (the default), in `localStorage`/`sessionStorage`, in an encrypted
 * cookie, in Redis or in a database row per user — anything that implements `TokenStore`.
 */
import { isObject } from './errors.js';

/** The tokens of one grant, as the SDK keeps them (JSON-serializable). */
export interface TokenSet {
  accessToken: string;
  tokenType: string;
  /** When the access token expires, in milliseconds since the epoch (by the SDK's clock). */
  expiresAt: number;
  refreshToken?: string | undefined;
  /** Space-separated granted scopes. */
  scope: string;
}

export interface TokenStore {
  get(): Promise<TokenSet | undefined>;
  set(tokens: TokenSet): Promise<void>;
  clear(): Promise<void>;
}

/** The default: tokens live as long as the object. */
export class MemoryTokenStore implements TokenStore {
  private tokens: TokenSet | undefined;

  async get(): Promise<TokenSet | undefined> {
    return this.tokens;
  }

  async set(tokens: TokenSet): Promise<void> {
    this.tokens = { ...tokens };
  }

  async clear(): Promise<void> {
    this.tokens = undefined;
  }
}

/** The part of the Web Storage API (`localStorage`, `sessionStorage`) the store uses. */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Tokens in Web Storage under one key. Anything that runs script on the page can read them,
 * so prefer `sessionStorage` and a strict Content-Security-Policy.
 */
export class WebStorageTokenStore implements TokenStore {
  constructor(
    private readonly storage: WebStorageLike,
    private readonly key = 'gatehouse.tokens',
  ) {}

  async get(): Promise<TokenSet | undefined> {
    const raw = this.storage.getItem(this.key);
    if (raw === null) return undefined;
    try {
      const parsed = JSON.parse(raw) as unknown;
      return isTokenSet(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async set(tokens: TokenSet): Promise<void> {
    this.storage.setItem(this.key, JSON.stringify(tokens));
  }

  async clear(): Promise<void> {
    this.storage.removeItem(this.key);
  }
}

export function isTokenSet(v: unknown): v is TokenSet {
  return (
    isObject(v) &&
    typeof v.accessToken === 'string' &&
    typeof v.tokenType === 'string' &&
    typeof v.expiresAt === 'number' &&
    typeof v.scope === 'string' &&
    (v.refreshToken === undefined || typeof v.refreshToken === 'string')
  );
}
