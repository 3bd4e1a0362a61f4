/**
 * The OAuth part of the storage contract, by aggregate. Races live here, so the operations that
 * settle them are atomic: `codes.consume` (exactly one caller wins a code) and
 * `tokens.rotateRefresh` (compare-and-set: rotated | reused | unknown). Tokens and codes are
 * stored as SHA-256 digests. All timestamps are milliseconds since the epoch.
 */
import type { AuditInput } from '../../core/model/audit.js';
import type { AuthCodeRecord } from '../../core/model/authorization-code.js';
import type { ClientRecord } from '../../core/model/client.js';
import type { GrantRecord, GrantView } from '../../core/model/grant.js';
import type { AccessTokenMatch, AccessTokenRecord, NewTokens, RefreshTokenMatch, RefreshTokenRecord } from '../../core/model/token.js';

export interface OAuthStore {
  readonly clients: ClientStore;
  readonly consents: ConsentStore;
  readonly codes: AuthCodeStore;
  readonly grants: GrantStore;
  readonly tokens: TokenStore;
}

export interface ClientStore {
  create(client: ClientRecord, audit: AuditInput): Promise<void>;
  get(id: string): Promise<ClientRecord | undefined>;
  /** One owner's apps, or every app when `ownerId` is omitted (administration). */
  list(ownerId?: string): Promise<ClientRecord[]>;
  /** Replaces the mutable fields (name, redirect URIs, scopes, options, secret) and emits a credential event. */
  update(client: ClientRecord, audit: AuditInput): Promise<void>;
  /** Deletes the app and revokes everything it was granted; false when there was no such app. */
  delete(id: string, at: number, audit: AuditInput): Promise<boolean>;
}

export interface ConsentStore {
  /** Scopes the user already approved for the app, or undefined. */
  get(userId: string, clientId: string): Promise<string[] | undefined>;
  /** Replaces what the user approved for the app (one upsert: concurrent approvals never collide). */
  save(userId: string, clientId: string, scopes: string[], at: number): Promise<void>;
  delete(userId: string, clientId: string): Promise<void>;
}

export type ConsumeResult =
  | { status: 'consumed'; code: AuthCodeRecord }
  /** Already redeemed: the grant it produced (if any) must be revoked. */
  | { status: 'reused'; code: AuthCodeRecord; grantId: string | null }
  | { status: 'unknown' };

export interface AuthCodeStore {
  create(code: AuthCodeRecord): Promise<void>;
  /** Atomically marks the code used; exactly one concurrent caller gets `consumed`. */
  consume(hash: string, at: number): Promise<ConsumeResult>;
}

export interface GrantStore {
  /**
   * Starts a grant with its first tokens, in one transaction. `fromCodeHash` links it to the
   * code that produced it; if that code was replayed meanwhile, the grant is born revoked.
   */
  create(grant: GrantRecord, tokens: NewTokens, fromCodeHash: string | null): Promise<void>;
  get(id: string): Promise<GrantRecord | undefined>;
  /** Revokes the grant (all its tokens) and emits a credential event. Idempotent: false when nothing changed. */
  revoke(id: string, at: number, audit: AuditInput | null): Promise<boolean>;
  /** The user's live grants, newest first, with their apps' names. */
  listForUser(userId: string): Promise<GrantView[]>;
  /** Revokes every live grant of the user for the app and forgets the consent; returns the grant ids. */
  revokeAppAccess(userId: string, clientId: string, at: number, audit: AuditInput): Promise<string[]>;
  /** Batched last-used times per grant. */
  recordUsage(usage: ReadonlyMap<string, number>): Promise<void>;
}

export type RotateResult =
  | { status: 'rotated' }
  | { status: 'reused'; token: RefreshTokenRecord }
  | { status: 'unknown' };

export interface TokenStore {
  /** Adds an access token to an existing grant (a refresh replay within its grace period). */
  addAccess(token: AccessTokenRecord): Promise<void>;
  /** The token with its grant and app, in one read; undefined when unknown or revoked itself. */
  findAccess(hash: string): Promise<AccessTokenMatch | undefined>;
  /** Revokes one access token and emits a credential event; false when nothing changed. */
  revokeAccess(hash: string, at: number): Promise<boolean>;
  findRefresh(hash: string): Promise<RefreshTokenMatch | undefined>;
  /**
   * Compare-and-set: if `oldHash` is the grant's current refresh token, mark it rotated at `at`
   * (keeping `successorSealed` for the grace period) and insert the new tokens, atomically.
   * Otherwise report `reused` (it was rotated before) or `unknown`.
   */
  rotateRefresh(oldHash: string, at: number, tokens: NewTokens, successorSealed: string | null): Promise<RotateResult>;
}
