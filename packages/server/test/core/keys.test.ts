import SQLite from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { Actor } from '../../src/core/context.js';
import { hashSecret, publicId } from '../../src/core/credentials.js';
import { GatehouseError } from '../../src/core/errors.js';
import type { KeyVerifier } from '../../src/core/key-verifier.js';
import { MAX_GRACE_MS, createKey, getManagedKey, keyStatus, listKeys, revokeKey, rollKey } from '../../src/core/keys.js';
import type { ServerRuntime } from '../../src/runtime.js';
import type { UserRecord } from '../../src/core/model/user.js';
import type { Store } from '../../src/store/store.js';
import { testRuntime } from '../helpers/runtime.js';
import { sqlite } from '../helpers/backends.js';
import { useStore } from '../helpers/store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const getStore = useStore(sqlite, { each: true });
let store: Store;
let clock: FakeClock;
let verifier: KeyVerifier;
let ctx: ServerRuntime;
let admin: UserRecord;
let alice: UserRecord;
let bob: UserRecord;

async function addUser(email: string): Promise<UserRecord> {
  const id = publicId('usr_');
  const at = clock.now();
  const result = await store.accounts.createUser(
    { id, email, passwordHash: 'unused', createdAt: at, admin: 'if-first', gate: { kind: 'open' } },
    { at, actorType: 'system', actorId: null, subjectUserId: id, action: 'user.create', target: id, ip: null },
  );
  if (result.status !== 'created') throw new Error(`user not created: ${result.status}`);
  return result.user;
}

const as = (user: UserRecord): Actor => ({ type: 'user', id: user.id, user, ip: '203.0.113.7' });

async function expectError(promise: Promise<unknown>, code: string, status: number): Promise<GatehouseError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatehouseError);
  expect(err).toMatchObject({ code, status });
  return err as GatehouseError;
}

/** Every row of every table in the SQLite file, as JSON text (read through a separate connection). */
function dumpDatabase(): string {
  const target = getStore.target();
  if (!('sqlitePath' in target)) throw new Error('these tests read the SQLite file');
  const db = new SQLite(target.sqlitePath, { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
    return JSON.stringify(tables.map((t) => db.prepare(`select * from "${t.name}"`).all()));
  } finally {
    db.close();
  }
}

beforeEach(async (test) => {
  store = getStore(test);
  clock = new FakeClock();
  ctx = await testRuntime(store, clock, { GATEHOUSE_KEY_CACHE_TTL_MS: String(HOUR) });
  verifier = ctx.apiKeys;
  admin = await addUser('admin@example.com');
  alice = await addUser('alice@example.com');
  bob = await addUser('bob@example.com');
});

const newKey = (owner: UserRecord, extra: { scopes?: string[]; expiresAt?: number | null; name?: string } = {}) =>
  createKey(ctx, as(owner), { ownerId: owner.id, name: extra.name ?? 'ci', scopes: extra.scopes ?? ['read'], expiresAt: extra.expiresAt ?? null });

describe('createKey', () => {
  it('creates an active key with an sk_ secret and normalized scopes', async () => {
    expect(admin.isAdmin).toBe(true);
    expect(alice.isAdmin).toBe(false);
    const { key, secret } = await newKey(alice, { scopes: ['read', 'write', 'read'], expiresAt: clock.now() + DAY });
    expect(secret).toMatch(/^sk_[0-9A-Za-z]{36}$/);
    expect(key).toMatchObject({ ownerId: alice.id, name: 'ci', scopes: ['read', 'write'], start: secret.slice(0, 7) });
    expect(key).toMatchObject({ createdAt: clock.now(), expiresAt: clock.now() + DAY, revokedAt: null, lastUsedAt: null });
    expect(key.id).toMatch(/^key_[0-9A-Za-z]{20}$/);
    expect(keyStatus(key, clock.now())).toBe('active');
    expect(await store.apiKeys.get(key.id)).toEqual(key);
    expect((await listKeys(ctx, alice.id)).map((k) => k.id)).toEqual([key.id]);
    expect(await listKeys(ctx, bob.id)).toEqual([]);
  });

  it('refuses empty scopes, unknown scopes and past expiry with 400', async () => {
    await expectError(newKey(alice, { scopes: [] }), 'invalid_request', 400);
    const unknown = await expectError(newKey(alice, { scopes: ['read', 'root'] }), 'invalid_request', 400);
    expect(unknown.extra.unknown_scopes).toEqual(['root']);
    await expectError(newKey(alice, { expiresAt: clock.now() - 1 }), 'invalid_request', 400);
    await expectError(newKey(alice, { expiresAt: clock.now() }), 'invalid_request', 400);
    expect(await store.apiKeys.list({})).toEqual([]);
  });

  it('trims the name and enforces 1..100 characters', async () => {
    expect((await newKey(alice, { name: '  Production  ' })).key.name).toBe('Production');
    expect((await newKey(alice, { name: 'x'.repeat(100) })).key.name).toHaveLength(100);
    expect((await newKey(alice, { name: ` ${'y'.repeat(100)} ` })).key.name).toHaveLength(100);
    await expectError(newKey(alice, { name: '   ' }), 'invalid_request', 400);
    await expectError(newKey(alice, { name: '' }), 'invalid_request', 400);
    await expectError(newKey(alice, { name: 'z'.repeat(101) }), 'invalid_request', 400);
  });

  it('stores only the SHA-256 hash of the secret', async () => {
    const { key, secret } = await newKey(alice);
    const match = await store.apiKeys.findBySecretHash(hashSecret(secret));
    expect(match?.key.id).toBe(key.id);
    expect(match?.secret.hash).toBe(hashSecret(secret));
    expect(match?.secret.expiresAt).toBeNull();
    expect(await store.apiKeys.findBySecretHash(secret)).toBeUndefined();
    const rolled = await rollKey(ctx, as(alice), key.id, HOUR);
    const dump = dumpDatabase();
    expect(dump).toContain(hashSecret(secret));
    expect(dump).toContain(hashSecret(rolled.secret));
    for (const s of [secret, rolled.secret]) {
      expect(dump).not.toContain(s);
      expect(dump).not.toContain(s.slice(3, 33));
    }
  });
});

describe('keyStatus', () => {
  it('moves from active to expired exactly at expiresAt', async () => {
    const { key } = await newKey(alice, { expiresAt: clock.now() + HOUR });
    clock.advance(HOUR - 1);
    expect(keyStatus(key, clock.now())).toBe('active');
    clock.advance(1);
    expect(keyStatus(key, clock.now())).toBe('expired');
  });

  it('is revoked once revoked, whatever the expiry', async () => {
    const { key } = await newKey(alice, { expiresAt: clock.now() + HOUR });
    const revoked = await revokeKey(ctx, as(alice), key.id);
    expect(keyStatus(revoked, clock.now())).toBe('revoked');
    clock.advance(2 * HOUR);
    expect(keyStatus(revoked, clock.now())).toBe('revoked');
  });
});

describe('revokeKey', () => {
  it('is idempotent and keeps the first revocation time', async () => {
    const { key, secret } = await newKey(alice);
    const first = clock.now() + 1000;
    clock.set(first);
    expect((await revokeKey(ctx, as(alice), key.id)).revokedAt).toBe(first);
    clock.advance(HOUR);
    expect((await revokeKey(ctx, as(alice), key.id)).revokedAt).toBe(first);
    expect((await store.apiKeys.get(key.id))?.revokedAt).toBe(first);
    await expectError(verifier.verify(secret), 'unauthenticated', 401);
  });

  it('takes effect at once on this instance even after a cached verification', async () => {
    const { key, secret } = await newKey(alice);
    expect((await verifier.verify(secret)).id).toBe(key.id);
    await revokeKey(ctx, as(alice), key.id);
    await expectError(verifier.verify(secret), 'unauthenticated', 401);
  });
});

describe('rollKey', () => {
  it.each([
    ['0', 0],
    ['1h', HOUR],
    ['24h', DAY],
    ['7d', 7 * DAY],
  ])('with grace %s: the old secret works until exactly the grace end', async (_label, grace) => {
    const { key, secret: oldSecret } = await newKey(alice);
    expect((await verifier.verify(oldSecret)).id).toBe(key.id); // cached before the roll
    clock.advance(1000);
    const rolledAt = clock.now();
    const rolled = await rollKey(ctx, as(alice), key.id, grace);
    expect(rolled.key.id).toBe(key.id);
    expect(rolled.secret).not.toBe(oldSecret);
    expect(rolled.key.start).toBe(rolled.secret.slice(0, 7));
    expect((await store.apiKeys.findBySecretHash(hashSecret(oldSecret)))?.secret.expiresAt).toBe(rolledAt + grace);
    expect((await verifier.verify(rolled.secret)).id).toBe(key.id);
    if (grace > 0) {
      expect((await verifier.verify(oldSecret)).id).toBe(key.id);
      clock.set(rolledAt + grace - 1);
      expect((await verifier.verify(oldSecret)).id).toBe(key.id);
    }
    clock.set(rolledAt + grace);
    await expectError(verifier.verify(oldSecret), 'unauthenticated', 401);
    clock.advance(DAY);
    await expectError(verifier.verify(oldSecret), 'unauthenticated', 401);
    expect((await verifier.verify(rolled.secret)).id).toBe(key.id);
  });

  it('a later roll with a longer grace never extends an earlier secret', async () => {
    const { key, secret: first } = await newKey(alice);
    const t0 = clock.now();
    const second = await rollKey(ctx, as(alice), key.id, HOUR);
    await rollKey(ctx, as(alice), key.id, 7 * DAY);
    clock.set(t0 + HOUR);
    await expectError(verifier.verify(first), 'unauthenticated', 401);
    expect((await verifier.verify(second.secret)).id).toBe(key.id);
  });

  it('refuses a grace period outside 0..7 days with 400', async () => {
    const { key } = await newKey(alice);
    for (const grace of [-1, MAX_GRACE_MS + 1, 30 * DAY, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expectError(rollKey(ctx, as(alice), key.id, grace), 'invalid_request', 400);
    }
    expect(MAX_GRACE_MS).toBe(7 * DAY);
    expect((await store.apiKeys.get(key.id))?.start).toBe(key.start);
  });

  it('refuses to roll a revoked or an expired key', async () => {
    const { key: revoked } = await newKey(alice);
    await revokeKey(ctx, as(alice), revoked.id);
    await expectError(rollKey(ctx, as(alice), revoked.id, 0), 'forbidden', 403);
    const { key: expiring } = await newKey(alice, { expiresAt: clock.now() + HOUR });
    clock.advance(HOUR);
    await expectError(rollKey(ctx, as(alice), expiring.id, 0), 'forbidden', 403);
    expect(await store.events.since(0)).toHaveLength(1); // only the revocation
  });
});

describe('ownership', () => {
  it('a non-owner, non-admin actor gets 404 for another account’s key', async () => {
    const { key, secret } = await newKey(alice);
    await expectError(getManagedKey(ctx, as(bob), key.id), 'not_found', 404);
    await expectError(revokeKey(ctx, as(bob), key.id), 'not_found', 404);
    await expectError(rollKey(ctx, as(bob), key.id, 0), 'not_found', 404);
    await expectError(getManagedKey(ctx, { type: 'system', id: null, user: null, ip: null }, key.id), 'not_found', 404);
    await expectError(getManagedKey(ctx, as(alice), 'key_doesnotexist'), 'not_found', 404);
    expect(keyStatus((await store.apiKeys.get(key.id))!, clock.now())).toBe('active');
    expect((await verifier.verify(secret)).id).toBe(key.id);
  });

  it('an admin may manage another account’s key', async () => {
    const { key } = await newKey(alice);
    expect((await getManagedKey(ctx, as(admin), key.id)).id).toBe(key.id);
    const rolled = await rollKey(ctx, as(admin), key.id, 0);
    expect((await verifier.verify(rolled.secret)).ownerId).toBe(alice.id);
    expect((await revokeKey(ctx, as(admin), key.id)).revokedAt).toBe(clock.now());
    const [entry] = await store.audit.list({ subjectUserId: alice.id, limit: 1 });
    expect(entry).toMatchObject({ action: 'api_key.revoke', actorId: admin.id, subjectUserId: alice.id, target: key.id });
  });
});

describe('audit', () => {
  it('records create, roll and revoke without any secret', async () => {
    const { key, secret } = await newKey(alice, { scopes: ['read', 'write'], name: 'deploy' });
    clock.advance(1000);
    const rolled = await rollKey(ctx, as(alice), key.id, HOUR);
    clock.advance(1000);
    await revokeKey(ctx, as(alice), key.id);
    const entries = (await store.audit.list({ limit: 100 })).filter((e) => e.action.startsWith('api_key.'));
    expect(entries.map((e) => e.action)).toEqual(['api_key.revoke', 'api_key.roll', 'api_key.create']);
    for (const e of entries) {
      expect(e).toMatchObject({ actorType: 'user', actorId: alice.id, subjectUserId: alice.id, target: key.id, ip: '203.0.113.7' });
    }
    expect(entries[2]?.detail).toEqual({ name: 'deploy', scopes: ['read', 'write'], expires_at: null });
    expect(entries[1]?.detail).toEqual({ grace_seconds: 3600 });
    const text = JSON.stringify(entries);
    for (const s of [secret, rolled.secret]) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(s.slice(3, 33));
    }
  });
});
