/**
 * OAuth tokens issued under a grant, stored as SHA-256 digests: opaque access tokens (`at_…`)
 * and rotating refresh tokens (`rt_…`). Times are epoch milliseconds.
 */
import type { ClientRecord } from './client.js';
import type { GrantRecord } from './grant.js';

export interface AccessTokenRecord {
  hash: string;
  grantId: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number;
}

export interface RefreshTokenRecord {
  hash: string;
  grantId: string;
  scopes: string[];
  createdAt: number;
  /** Absolute end of the refresh chain (fixed when the grant starts). */
  expiresAt: number;
  /** Idle timeout: unused past this, the token is dead. */
  idleExpiresAt: number;
  rotatedAt: number | null;
  /** The successor's secret, sealed, kept only while a replay grace period may need it. */
  successorSealed: string | null;
}

/** What an access token check needs, in one read. */
export interface AccessTokenMatch {
  token: AccessTokenRecord;
  grant: GrantRecord;
  client: Pick<ClientRecord, 'id' | 'ownerId'>;
}

export interface RefreshTokenMatch {
  token: RefreshTokenRecord;
  grant: GrantRecord;
}

/** The tokens issued together (either may be absent: client_credentials has no refresh token). */
export interface NewTokens {
  access: AccessTokenRecord | null;
  refresh: RefreshTokenRecord | null;
}
