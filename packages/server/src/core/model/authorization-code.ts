/**
 * An authorization code (RFC 6749 §4.1.2), stored as its SHA-256 digest: single-use, short-lived,
 * bound to the app, the redirect URI and the PKCE challenge. Times are epoch milliseconds.
 */
export interface AuthCodeRecord {
  hash: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  createdAt: number;
  expiresAt: number;
}
