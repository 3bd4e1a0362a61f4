/**
 * The storage contract, named by intent. Two real implementations share it (SQLite and
 * PostgreSQL through Kysely) and one shared test suite runs against both. Operations that
 * race are atomic here, never read-modify-write in the caller.
 * All timestamps are milliseconds since the epoch.
 */
import type { ApiKeyRecord, ApiKeySecretRecord, KeyMatch } from '../core/model/api-key.js';
import type { AuditEntry, AuditInput } from '../core/model/audit.js';
import type { CredentialEvent } from '../core/model/credential-event.js';
import type { SigningKeyRecord } from '../core/model/signing-key.js';
import type { InviteRecord, SessionRecord, SignupGate, UserRecord } from '../core/model/user.js';
import type { OAuthStore } from './oauth-store.js';

export type CreateUserResult =
  | { status: 'created'; user: UserRecord }
  | { status: 'email-taken' }
  | { status: 'signup-closed' }
  | { status: 'invite-invalid' };

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Applications, consents, codes, grants and tokens. */
  readonly oauth: OAuthStore;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * Creates a user, atomically with its gate: `admin: 'if-first'` makes the first account its
   * deployment's admin; gate `first-only` refuses (`signup-closed`) once any account exists;
   * gate `invite` consumes an unused, unexpired invite (`invite-invalid` otherwise). A taken
   * email is `email-taken`. Nothing is written unless the user is created.
   */
  createUser(input: Omit<UserRecord, 'isAdmin'> & { admin: boolean | 'if-first'; gate: SignupGate }, audit: AuditInput): Promise<CreateUserResult>;
  createInvite(invite: InviteRecord, audit: AuditInput): Promise<void>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  getUser(id: string): Promise<UserRecord | undefined>;

  createSession(session: SessionRecord): Promise<void>;
  /** The live session and its user, or undefined when unknown or expired at `now`. */
  findSession(tokenHash: string, now: number): Promise<{ session: SessionRecord; user: UserRecord } | undefined>;
  deleteSession(tokenHash: string): Promise<void>;

  createApiKey(key: ApiKeyRecord, secret: ApiKeySecretRecord, audit: AuditInput): Promise<void>;
  listApiKeys(filter: { ownerId?: string }): Promise<ApiKeyRecord[]>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** The hot-path lookup: one indexed read, no write. */
  findApiKeyBySecretHash(hash: string): Promise<KeyMatch | undefined>;
  /** Marks the key revoked (idempotent; keeps the first revocation time) and emits a credential event. */
  revokeApiKey(id: string, at: number, audit: AuditInput): Promise<ApiKeyRecord | undefined>;
  /**
   * One transaction: every live secret of the key stops at `retireAt` (never later than it
   * already would), `secret` becomes the newest, and a credential event is emitted.
   * Undefined when the key does not exist or is revoked.
   */
  rollApiKey(id: string, secret: ApiKeySecretRecord, retireAt: number, audit: AuditInput): Promise<ApiKeyRecord | undefined>;
  /** Batched usage from the verify path; keeps the latest time per key. */
  recordKeyUsage(usage: ReadonlyMap<string, number>): Promise<void>;
  /** Revocations and rolls after `seq`, oldest first, so other instances can drop cached entries. */
  credentialEventsSince(seq: number): Promise<CredentialEvent[]>;
  latestCredentialEventSeq(): Promise<number>;

  listSigningKeys(): Promise<SigningKeyRecord[]>;
  addSigningKey(key: SigningKeyRecord, audit: AuditInput): Promise<void>;

  appendAudit(entry: AuditInput): Promise<void>;
  /** Newest first. `subjectUserId` limits to one account's entries. */
  listAudit(filter: { subjectUserId?: string; limit: number; beforeId?: number }): Promise<AuditEntry[]>;

}
