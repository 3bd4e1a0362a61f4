/** Table shapes as Kysely sees them. Timestamps are integer milliseconds; booleans are 0/1. */
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
  agents: { id: string; owner_id: string; name: string; description: string; created_at: number; updated_at: number };
}
