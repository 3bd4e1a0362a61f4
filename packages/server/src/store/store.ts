/**
 * The storage contract, named by intent. Two real implementations share it (SQLite and
 * PostgreSQL through Kysely) and one shared test suite runs against both. Operations that
 * race are atomic here, never read-modify-write in the caller.
 * All timestamps are milliseconds since the epoch.
 */
import type { OAuthStore } from './oauth-store.js';
export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  isAdmin: boolean;
  createdAt: number;
}

/** What must hold for a new account to be created, checked atomically with the insert. */
export type SignupGate = { kind: 'open' } | { kind: 'first-only' } | { kind: 'invite'; inviteHash: string };

export interface InviteRecord {
  hash: string;
  /** When set, only this email may use the invite. */
  email: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface SessionRecord {
  tokenHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

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

export interface KeyMatch {
  key: ApiKeyRecord;
  secret: ApiKeySecretRecord;
}

export type ActorType = 'user' | 'api_key' | 'cli' | 'system';

/** What an audit entry records: who, what, when, from where. Never a secret. */
export interface AuditInput {
  at: number;
  actorType: ActorType;
  actorId: string | null;
  /** The account whose resources were changed; used to scope what a user may read. */
  subjectUserId: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  id: number;
  detail: Record<string, unknown>;
}

/** A JWT signing key: public JWK in clear, private key sealed with the server secret. */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** JSON of the public JWK (with kid, alg, use). */
  publicJwk: string;
  /** PKCS#8 PEM of the private key, sealed (see core/secret-box). */
  privateSealed: string;
  createdAt: number;
  /** When it starts signing; before that it is only published. */
  activatesAt: number;
}

export interface CredentialEvent {
  seq: number;
  keyId: string;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Applications, consents, codes, grants and tokens. */
  readonly oauth: OAuthStore;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * Creates a user, atomically with its gate: `admin: 'if-first'` makes the first account its
   * deployment's admin; gate `first-only` refuses (forbidden) once any account exists; gate
   * `invite` consumes an unused, unexpired invite (forbidden otherwise).
   * Throws `conflict` on a taken email.
   */
  createUser(input: Omit<UserRecord, 'isAdmin'> & { admin: boolean | 'if-first'; gate: SignupGate }, audit: AuditInput): Promise<UserRecord>;
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
