/**
 * Table shapes as Kysely sees them, and how values are encoded in their columns: timestamps are
 * integer milliseconds; booleans are 0/1; scope lists are space-separated text.
 */
import type { Generated } from 'kysely';

export interface Database {
  users: { id: string; email: string; password_hash: string; is_admin: number; created_at: number };
  invites: { hash: string; email: string | null; created_at: number; expires_at: number; used_at: number | null };
  sessions: { token_hash: string; user_id: string; created_at: number; expires_at: number };
  api_keys: {
    id: string;
    owner_id: string;
    name: string;
    scopes: string;
    start: string;
    created_at: number;
    expires_at: number | null;
    revoked_at: number | null;
    last_used_at: number | null;
  };
  api_key_secrets: { hash: string; key_id: string; start: string; created_at: number; expires_at: number | null };
  credential_events: { seq: Generated<number>; key_id: string; at: number };
  audit_log: {
    id: Generated<number>;
    at: number;
    actor_type: string;
    actor_id: string | null;
    subject_user_id: string | null;
    action: string;
    target: string | null;
    ip: string | null;
    detail: string;
  };
  signing_keys: { kid: string; alg: string; public_jwk: string; private_sealed: string; created_at: number; activates_at: number };
  oauth_clients: {
    id: string;
    owner_id: string;
    name: string;
    type: string;
    redirect_uris: string;
    scopes: string;
    secret_hash: string | null;
    secret_start: string | null;
    jwt_access_tokens: number;
    refresh_grace_seconds: number;
    created_at: number;
    updated_at: number;
  };
  oauth_consents: { user_id: string; client_id: string; scopes: string; updated_at: number };
  oauth_codes: {
    hash: string;
    client_id: string;
    user_id: string;
    redirect_uri: string;
    scopes: string;
    code_challenge: string | null;
    created_at: number;
    expires_at: number;
    consumed_at: number | null;
    grant_id: string | null;
  };
  oauth_grants: {
    id: string;
    client_id: string;
    user_id: string | null;
    scopes: string;
    created_at: number;
    revoked_at: number | null;
    last_used_at: number | null;
  };
  oauth_access_tokens: { hash: string; grant_id: string; scopes: string; created_at: number; expires_at: number; revoked_at: number | null };
  oauth_refresh_tokens: {
    hash: string;
    grant_id: string;
    scopes: string;
    created_at: number;
    expires_at: number;
    idle_expires_at: number;
    rotated_at: number | null;
    successor_sealed: string | null;
  };
}

export type Row<T extends keyof Database> = Database[T];

/** A space-separated list column (scopes) as an array; empty text is an empty list. */
export const split = (s: string): string[] => (s === '' ? [] : s.split(' '));
