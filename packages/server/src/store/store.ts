/**
 * The storage contract, by aggregate and named by intent. Two real implementations share it
 * (SQLite and PostgreSQL through Kysely) and one shared test suite runs against both.
 * Operations that race are atomic here, never read-modify-write in the caller. The store
 * never decides what is allowed: where an operation can be refused, it returns what happened
 * and core turns that into an error. All timestamps are milliseconds since the epoch.
 */
import type { ApiKeyRecord, ApiKeySecretRecord, KeyMatch } from '../core/model/api-key.js';
import type { AuditEntry, AuditInput } from '../core/model/audit.js';
import type { CredentialEvent } from '../core/model/credential-event.js';
import type { SigningKeyRecord } from '../core/model/signing-key.js';
import type { InviteRecord, SessionRecord, SignupGate, UserRecord } from '../core/model/user.js';
import type { PoolStats } from './connect.js';
import type { OAuthStore } from './oauth/store.js';

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Users, their sessions, invites. */
  readonly accounts: AccountStore;
  readonly apiKeys: ApiKeyStore;
  readonly signingKeys: SigningKeyStore;
  readonly audit: AuditLog;
  /** Revocations and changes of credentials, for other processes' caches. */
  readonly events: CredentialEventLog;
  /** Apps, consents, codes, grants and tokens. */
  readonly oauth: OAuthStore;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  /** The connection pool's state, read when metrics are scraped; null on SQLite (no pool). */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

export type NewUserRecord = Omit<UserRecord, 'isAdmin'> & { admin: boolean | 'if-first'; gate: SignupGate };

export type CreateUserResult =
  | { status: 'created'; user: UserRecord }
  | { status: 'email-taken' }
  | { status: 'signup-closed' }
  | { status: 'invite-invalid' };

export interface AccountStore {
  /**
   * Creates a user, atomically with its gate: `admin: 'if-first'` makes the first account its
   * deployment's admin; gate `first-only` refuses (`signup-closed`) once any account exists;
   * gate `invite` consumes an unused, unexpired invite (`invite-invalid` otherwise). A taken
   * email is `email-taken`. Nothing is written unless the user is created.
   */
  createUser(input: NewUserRecord, audit: AuditInput): Promise<CreateUserResult>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  getUser(id: string): Promise<UserRecord | undefined>;
  createInvite(invite: InviteRecord, audit: AuditInput): Promise<void>;

  createSession(session: SessionRecord): Promise<void>;
  /** The live session and its user, or undefined when unknown or expired at `now`. */
  findSession(tokenHash: string, now: number): Promise<{ session: SessionRecord; user: UserRecord } | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
}

/** A key with its first secret, for `createMany`. */
export interface NewApiKey {
  key: ApiKeyRecord;
  secret: ApiKeySecretRecord;
}

export interface ApiKeyStore {
  create(key: ApiKeyRecord, secret: ApiKeySecretRecord, audit: AuditInput): Promise<void>;
  /**
   * Many keys with their secrets in one transaction and multi-row inserts, with one audit entry
   * for the whole batch (or none): the bulk load behind `gatehouse dev seed`.
   */
  createMany(keys: readonly NewApiKey[], audit: AuditInput | null): Promise<void>;
  list(filter: { ownerId?: string }): Promise<ApiKeyRecord[]>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** The hot-path lookup: one indexed read, no write. */
  findBySecretHash(hash: string): Promise<KeyMatch | undefined>;
  /** Marks the key revoked (idempotent; keeps the first revocation time) and emits a credential event. */
  revoke(id: string, at: number, audit: AuditInput): Promise<ApiKeyRecord | undefined>;
  /**
   * One transaction: every live secret of the key stops at `retireAt` (never later than it
   * already would), `secret` becomes the newest, and a credential event is emitted.
   * Undefined when the key does not exist or is revoked.
   */
  roll(id: string, secret: ApiKeySecretRecord, retireAt: number, audit: AuditInput): Promise<ApiKeyRecord | undefined>;
  /** Batched usage from the verify path; keeps the latest time per key. */
  recordUsage(usage: ReadonlyMap<string, number>): Promise<void>;
}

export interface SigningKeyStore {
  /** Every key, in activation order. */
  list(): Promise<SigningKeyRecord[]>;
  add(key: SigningKeyRecord, audit: AuditInput): Promise<void>;
}

export interface AuditLog {
  append(entry: AuditInput): Promise<void>;
  /** Newest first. `subjectUserId` limits to one account's entries. */
  list(filter: { subjectUserId?: string; limit: number; beforeId?: number }): Promise<AuditEntry[]>;
}

export interface CredentialEventLog {
  /** Revocations and changes after `seq`, oldest first, at most 1000 at a time. */
  since(seq: number): Promise<CredentialEvent[]>;
  /** The newest event's seq (0 when there is none): where a new poller starts. */
  latestSeq(): Promise<number>;
}
