/**
 * The OAuth part of the storage contract. Races live here, so the operations that settle them
 * are atomic: `consumeAuthCode` (exactly one caller wins a code), `rotateRefreshToken`
 * (compare-and-set: rotated | reused | unknown). Tokens and codes are stored as SHA-256 digests.
 */
import type { AuditInput } from '../core/model/audit.js';
import type { AuthCodeRecord } from '../core/model/authorization-code.js';
import type { ClientRecord } from '../core/model/client.js';
import type { GrantRecord, GrantView } from '../core/model/grant.js';
import type { AccessTokenMatch, AccessTokenRecord, NewTokens, RefreshTokenMatch, RefreshTokenRecord } from '../core/model/token.js';

export type ConsumeResult =
  | { status: 'consumed'; code: AuthCodeRecord }
  /** Already redeemed: the grant it produced (if any) must be revoked. */
  | { status: 'reused'; code: AuthCodeRecord; grantId: string | null }
  | { status: 'unknown' };

export type RotateResult =
  | { status: 'rotated' }
  | { status: 'reused'; token: RefreshTokenRecord }
  | { status: 'unknown' };

export interface OAuthStore {
  createClient(client: ClientRecord, audit: AuditInput): Promise<void>;
  getClient(id: string): Promise<ClientRecord | undefined>;
  /** One owner's apps, or every app when `ownerId` is omitted (administration). */
  listClients(ownerId?: string): Promise<ClientRecord[]>;
  /** Replaces the mutable fields (name, redirect URIs, scopes, options, secret). */
  updateClient(client: ClientRecord, audit: AuditInput): Promise<void>;
  /** Deletes the app and revokes everything it was granted. */
  deleteClient(id: string, at: number, audit: AuditInput): Promise<boolean>;

  /** Scopes the user already approved for the app, or undefined. */
  getConsent(userId: string, clientId: string): Promise<string[] | undefined>;
  saveConsent(userId: string, clientId: string, scopes: string[], at: number): Promise<void>;
  deleteConsent(userId: string, clientId: string): Promise<void>;

  createAuthCode(code: AuthCodeRecord): Promise<void>;
  /** Atomically marks the code used; exactly one concurrent caller gets `consumed`. */
  consumeAuthCode(hash: string, at: number): Promise<ConsumeResult>;

  /** Starts a grant with its first tokens; `fromCodeHash` links it to the code that produced it. */
  createGrant(grant: GrantRecord, tokens: NewTokens, fromCodeHash: string | null): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  /** Revokes the grant (all its tokens) and emits a credential event. Idempotent. */
  revokeGrant(id: string, at: number, audit: AuditInput | null): Promise<boolean>;
  listGrantsForUser(userId: string): Promise<GrantView[]>;
  /** Revokes every live grant of the user for the app and forgets the consent; returns the grant ids. */
  revokeUserGrants(userId: string, clientId: string, at: number, audit: AuditInput): Promise<string[]>;

  /** Adds an access token to an existing grant (a refresh replay within its grace period). */
  addAccessToken(token: AccessTokenRecord): Promise<void>;
  findAccessToken(hash: string): Promise<AccessTokenMatch | undefined>;
  /** Revokes one access token and emits a credential event. */
  revokeAccessToken(hash: string, at: number): Promise<boolean>;
  findRefreshToken(hash: string): Promise<RefreshTokenMatch | undefined>;
  /**
   * Compare-and-set: if `oldHash` is the grant's current refresh token, mark it rotated at `at`
   * (keeping `successorSealed` for the grace period) and insert the new tokens, in one
   * transaction. Otherwise report `reused` (it was rotated before) or `unknown`.
   */
  rotateRefreshToken(oldHash: string, at: number, tokens: NewTokens, successorSealed: string | null): Promise<RotateResult>;
  /** Batched last-used times per grant. */
  recordGrantUsage(usage: ReadonlyMap<string, number>): Promise<void>;
}
