/**
 * The shared storage suite's pieces: a fresh, migrated store per `describe` on a real backend,
 * and builders of the records each aggregate stores. Every file of test/store/ runs its suite
 * with `describe.each(BACKENDS)`, so each sub-store is checked on SQLite and PostgreSQL alike.
 */
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { issueSecret, publicId } from '../../src/core/credentials.js';
import type { ApiKeyRecord, ApiKeySecretRecord } from '../../src/core/model/api-key.js';
import type { AuditInput } from '../../src/core/model/audit.js';
import type { AuthCodeRecord } from '../../src/core/model/authorization-code.js';
import type { ClientRecord } from '../../src/core/model/client.js';
import type { GrantRecord } from '../../src/core/model/grant.js';
import type { AccessTokenRecord, NewTokens, RefreshTokenRecord } from '../../src/core/model/token.js';
import type { SignupGate, UserRecord } from '../../src/core/model/user.js';
import { KyselyStore } from '../../src/store/kysely-store.js';
import type { CreateUserResult, Store } from '../../src/store/store.js';
import type { Backend, BackendTarget } from '../helpers/backends.js';

export const T0 = Date.UTC(2026, 0, 1);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * Registers a fresh target and store for the enclosing describe; the getter skips when the
 * backend is unavailable, and `.target()` names the database for a second connection to it.
 */
export function useStore(backend: Backend): ((ctx: TestContext) => Store) & { target(): BackendTarget['target'] } {
  let target: BackendTarget | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    target = await backend.setup();
    if (!target) return;
    store = new KyselyStore(target.target);
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await target?.cleanup();
  });
  const get = (ctx: TestContext) => store ?? ctx.skip(`${backend.name} unavailable`);
  return Object.assign(get, { target: () => target!.target });
}

/** Opens several pooled connections first, so concurrent calls really overlap. */
export const warm = (store: Store) => Promise.all(Array.from({ length: 8 }, () => store.ping()));

export const audit = (action: string, subjectUserId: string | null = null, detail?: Record<string, unknown>): AuditInput => ({
  at: T0,
  actorType: 'system',
  actorId: null,
  subjectUserId,
  action,
  target: null,
  ip: null,
  ...(detail ? { detail } : {}),
});

export type NewUserOptions = { email?: string; admin?: boolean | 'if-first'; gate?: SignupGate; at?: number };

export function createUser(store: Store, o: NewUserOptions = {}): Promise<CreateUserResult> {
  const id = publicId('usr_');
  const email = o.email ?? `${id.toLowerCase()}@example.com`;
  return store.accounts.createUser({ id, email, passwordHash: '$argon2id$fake', createdAt: o.at ?? T0, admin: o.admin ?? false, gate: o.gate ?? { kind: 'open' } }, audit('user.create', id));
}

export async function newUser(store: Store, o: NewUserOptions = {}): Promise<UserRecord> {
  const result = await createUser(store, o);
  if (result.status !== 'created') throw new Error(`user not created: ${result.status}`);
  return result.user;
}

/** A new secret record for `keyId`, with its plain secret alongside (never stored). */
export const secretRecord = (keyId: string, createdAt = T0): ApiKeySecretRecord & { secret: string } => {
  const s = issueSecret('sk_');
  return { secret: s.secret, hash: s.hash, keyId, start: s.start, createdAt, expiresAt: null };
};

export const keyRecord = (owner: UserRecord, start: string, o: { id?: string; createdAt?: number; expiresAt?: number | null; scopes?: string[] } = {}): ApiKeyRecord => {
  const id = o.id ?? publicId('key_');
  return { id, ownerId: owner.id, name: `key ${id}`, scopes: o.scopes ?? ['read'], start, createdAt: o.createdAt ?? T0, expiresAt: o.expiresAt ?? null, revokedAt: null, lastUsedAt: null };
};

export async function newKey(store: Store, owner: UserRecord, o: { createdAt?: number; expiresAt?: number | null; scopes?: string[] } = {}) {
  const id = publicId('key_');
  const secret = secretRecord(id, o.createdAt ?? T0);
  const key = keyRecord(owner, secret.start, { ...o, id });
  const { secret: _plain, ...record } = secret;
  await store.apiKeys.create(key, record, audit('api_key.create', owner.id));
  return { key, secret };
}

/** Starts a roll of `keyId` to a new secret; `result` is the store's answer. */
export const roll = (store: Store, keyId: string, retireAt: number) => {
  const s = secretRecord(keyId, T0 + 1);
  const { secret: _plain, ...record } = s;
  return { next: s, result: store.apiKeys.roll(keyId, record, retireAt, audit('api_key.roll')) };
};

export const secretExpiry = async (store: Store, hash: string) => (await store.apiKeys.findBySecretHash(hash))?.secret.expiresAt;

export function clientRecord(owner: UserRecord, o: Partial<ClientRecord> = {}): ClientRecord {
  const secret = issueSecret('cs_');
  return {
    id: publicId('app_'),
    ownerId: owner.id,
    name: 'app',
    type: 'confidential',
    redirectUris: ['https://app.example/cb', 'http://127.0.0.1/cb'],
    scopes: ['read', 'write'],
    secretHash: secret.hash,
    secretStart: secret.start,
    jwtAccessTokens: false,
    refreshGraceSeconds: 0,
    createdAt: T0,
    updatedAt: T0,
    ...o,
  };
}

export async function newClient(store: Store, owner: UserRecord, o: Partial<ClientRecord> = {}): Promise<ClientRecord> {
  const client = clientRecord(owner, o);
  await store.oauth.clients.create(client, audit('client.create', owner.id));
  return client;
}

export const codeRecord = (client: ClientRecord, user: UserRecord, o: Partial<AuthCodeRecord> = {}): AuthCodeRecord => ({
  hash: issueSecret('code_').hash,
  clientId: client.id,
  userId: user.id,
  redirectUri: client.redirectUris[0]!,
  scopes: ['read'],
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  createdAt: T0,
  expiresAt: T0 + 60_000,
  ...o,
});

export const grantRecord = (client: ClientRecord, user: UserRecord | null, o: Partial<GrantRecord> = {}): GrantRecord => ({
  id: publicId('grt_'),
  clientId: client.id,
  userId: user?.id ?? null,
  scopes: ['read'],
  createdAt: T0,
  revokedAt: null,
  lastUsedAt: null,
  ...o,
});

export const accessRecord = (grantId: string, at = T0, scopes = ['read']): AccessTokenRecord & { secret: string } => {
  const s = issueSecret('at_');
  return { secret: s.secret, hash: s.hash, grantId, scopes, createdAt: at, expiresAt: at + HOUR };
};

export const refreshRecord = (grantId: string, at = T0, scopes = ['read']): RefreshTokenRecord => ({
  hash: issueSecret('rt_').hash,
  grantId,
  scopes,
  createdAt: at,
  expiresAt: T0 + 30 * DAY,
  idleExpiresAt: at + 7 * DAY,
  rotatedAt: null,
  successorSealed: null,
});

/** A fresh pair of tokens for `grantId`, as the stores take them (no plain secrets). */
export function tokenPair(grantId: string, at = T0): NewTokens & { access: AccessTokenRecord; refresh: RefreshTokenRecord } {
  const { secret: _plain, ...access } = accessRecord(grantId, at);
  return { access, refresh: refreshRecord(grantId, at) };
}

/** A live grant with its first tokens, for `user` on `client`. */
export async function newGrant(store: Store, client: ClientRecord, user: UserRecord | null, o: Partial<GrantRecord> = {}) {
  const grant = grantRecord(client, user, o);
  const tokens = tokenPair(grant.id, grant.createdAt);
  await store.oauth.grants.create(grant, tokens, null);
  return { grant, tokens };
}
