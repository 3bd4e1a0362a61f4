/** An OAuth app (a client, RFC 6749 §2) registered by an account. Times are epoch milliseconds. */

export type ClientType = 'confidential' | 'public';

export interface ClientRecord {
  /** The public client_id (`app_…`). */
  id: string;
  ownerId: string;
  name: string;
  type: ClientType;
  redirectUris: string[];
  /** Scopes the app may ask for. */
  scopes: string[];
  /** SHA-256 of the `cs_…` secret; null for public clients. */
  secretHash: string | null;
  secretStart: string | null;
  /** Issue RFC 9068 JWT access tokens instead of opaque `at_…`. */
  jwtAccessTokens: boolean;
  /** How long a replay of a just-rotated refresh token returns the same successor (0: never). */
  refreshGraceSeconds: number;
  createdAt: number;
  updatedAt: number;
}
