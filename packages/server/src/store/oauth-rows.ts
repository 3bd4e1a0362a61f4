/** OAuth records as table rows and back (shared by the store and its prepared statements). */
import type { AuthCodeRecord } from '../core/model/authorization-code.js';
import type { ClientRecord, ClientType } from '../core/model/client.js';
import type { GrantRecord } from '../core/model/grant.js';
import type { RefreshTokenRecord } from '../core/model/token.js';
import type { Database } from './schema.js';

export type Row<T extends keyof Database> = Database[T];
export const split = (s: string) => (s === '' ? [] : s.split(' '));

export const toClient = (r: Row<'oauth_clients'>): ClientRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  type: r.type as ClientType,
  redirectUris: JSON.parse(r.redirect_uris) as string[],
  scopes: split(r.scopes),
  secretHash: r.secret_hash,
  secretStart: r.secret_start,
  jwtAccessTokens: r.jwt_access_tokens === 1,
  refreshGraceSeconds: r.refresh_grace_seconds,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const clientRow = (c: ClientRecord): Row<'oauth_clients'> => ({
  id: c.id,
  owner_id: c.ownerId,
  name: c.name,
  type: c.type,
  redirect_uris: JSON.stringify(c.redirectUris),
  scopes: c.scopes.join(' '),
  secret_hash: c.secretHash,
  secret_start: c.secretStart,
  jwt_access_tokens: c.jwtAccessTokens ? 1 : 0,
  refresh_grace_seconds: c.refreshGraceSeconds,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

export const toCode = (r: Row<'oauth_codes'>): AuthCodeRecord => ({
  hash: r.hash,
  clientId: r.client_id,
  userId: r.user_id,
  redirectUri: r.redirect_uri,
  scopes: split(r.scopes),
  codeChallenge: r.code_challenge,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export const toGrant = (r: Row<'oauth_grants'>): GrantRecord => ({
  id: r.id,
  clientId: r.client_id,
  userId: r.user_id,
  scopes: split(r.scopes),
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export const toRefresh = (r: Row<'oauth_refresh_tokens'>): RefreshTokenRecord => ({
  hash: r.hash,
  grantId: r.grant_id,
  scopes: split(r.scopes),
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  idleExpiresAt: r.idle_expires_at,
  rotatedAt: r.rotated_at,
  successorSealed: r.successor_sealed,
});
