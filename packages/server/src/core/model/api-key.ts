/**
 * An API key (`key_…`) and its secrets (`sk_…`, stored as digests): a roll adds a secret and
 * retires the older ones after a grace period, so a key may have several live at once.
 * All timestamps are milliseconds since the epoch.
 */

export interface ApiKeyRecord {
  /** The public key_id (`key_…`). */
  id: string;
  ownerId: string;
  name: string;
  scopes: string[];
  /** Display start of the newest secret. */
  start: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface ApiKeySecretRecord {
  hash: string;
  keyId: string;
  start: string;
  createdAt: number;
  /** Set when a roll retires this secret: it works until then (the grace period). */
  expiresAt: number | null;
}

/** What the hot-path lookup of a secret finds: the secret and its key. */
export interface KeyMatch {
  key: ApiKeyRecord;
  secret: ApiKeySecretRecord;
}
