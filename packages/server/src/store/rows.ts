/** Accounts and API keys as table rows and back. */
import type { Database } from './schema.js';
import type { ApiKeyRecord } from '../core/model/api-key.js';
import type { UserRecord } from '../core/model/user.js';

type Row<T extends keyof Database> = Database[T];

export const toUser = (r: Row<'users'>): UserRecord => ({
  id: r.id,
  email: r.email,
  passwordHash: r.password_hash,
  isAdmin: r.is_admin === 1,
  createdAt: r.created_at,
});

export const toKey = (r: Row<'api_keys'>): ApiKeyRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  scopes: r.scopes === '' ? [] : r.scopes.split(' '),
  start: r.start,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});
