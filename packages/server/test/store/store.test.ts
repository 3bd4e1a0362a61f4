/**
 * The shared Store suite: every method of the Store interface, run against both real backends.
 * Each `describe` gets its own fresh, migrated database.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { issueSecret, publicId } from '../../src/core/credentials.js';
import { GatehouseError } from '../../src/core/errors.js';
import type { ApiKeyRecord, ApiKeySecretRecord, AuditInput, SignupGate, Store, UserRecord } from '../../src/store/store.js';
import { type BackendTarget, BACKENDS } from '../helpers/backends.js';
import { useStore } from '../helpers/store.js';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const audit = (action: string, subjectUserId: string | null = null, detail?: Record<string, unknown>): AuditInput => ({
  at: T0, actorType: 'system', actorId: null, subjectUserId, action, target: null, ip: null, ...(detail ? { detail } : {}),
});

function newUser(store: Store, o: { email?: string; admin?: boolean | 'if-first'; gate?: SignupGate; at?: number } = {}): Promise<UserRecord> {
  const id = publicId('usr_');
  const email = o.email ?? `${id.toLowerCase()}@example.com`;
  return store.createUser({ id, email, passwordHash: '$argon2id$fake', createdAt: o.at ?? T0, admin: o.admin ?? false, gate: o.gate ?? { kind: 'open' } }, audit('user.create', id));
}

const secretRecord = (keyId: string, createdAt = T0): ApiKeySecretRecord & { secret: string } => {
  const s = issueSecret('sk_');
  return { secret: s.secret, hash: s.hash, keyId, start: s.start, createdAt, expiresAt: null };
};

async function newKey(store: Store, owner: UserRecord, o: { createdAt?: number; expiresAt?: number | null; scopes?: string[] } = {}) {
  const id = publicId('key_');
  const secret = secretRecord(id, o.createdAt ?? T0);
  const key: ApiKeyRecord = { id, ownerId: owner.id, name: `key ${id}`, scopes: o.scopes ?? ['read'], start: secret.start, createdAt: o.createdAt ?? T0, expiresAt: o.expiresAt ?? null, revokedAt: null, lastUsedAt: null };
  const { secret: _plain, ...record } = secret;
  await store.createApiKey(key, record, audit('api_key.create', owner.id));
  return { key, secret };
}

const roll = (store: Store, keyId: string, retireAt: number) => {
  const s = secretRecord(keyId, T0 + 1);
  const { secret: _plain, ...record } = s;
  return { next: s, result: store.rollApiKey(keyId, record, retireAt, audit('api_key.roll')) };
};

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GatehouseError);
  expect((err as GatehouseError).code).toBe(code);
}

/** Opens several pooled connections first, so concurrent calls really overlap. */
const warm = (store: Store) => Promise.all(Array.from({ length: 8 }, () => store.ping()));

/** Another process adds a column to `agents` (as a newer release's migration would). */
async function alterAgents(target: BackendTarget['target']): Promise<void> {
  if ('sqlitePath' in target) {
    const db = new SQLite(target.sqlitePath);
    db.exec('alter table agents add column note text');
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: target.postgresUrl });
  await client.connect();
  await client.query('alter table agents add column note text');
  await client.end();
}

const secretExpiry = async (store: Store, hash: string) => (await store.findApiKeyBySecretHash(hash))?.secret.expiresAt;

describe.each(BACKENDS)('Store on $name', (backend) => {
  describe('accounts', () => {
    const get = useStore(backend);

    it('if-first: the first account is admin and later ones are not', async (ctx) => {
      const store = get(ctx);
      const first = await newUser(store, { admin: 'if-first' });
      const second = await newUser(store, { admin: 'if-first' });
      const explicit = await newUser(store, { admin: true });
      expect([first.isAdmin, second.isAdmin, explicit.isAdmin]).toEqual([true, false, true]);
      expect(await store.getUser(first.id)).toEqual(first);
      expect(await store.findUserByEmail(second.email)).toEqual(second);
      expect(await store.getUser('usr_nobody')).toBeUndefined();
      expect(await store.findUserByEmail('nobody@example.com')).toBeUndefined();
      const [entry] = await store.listAudit({ subjectUserId: first.id, limit: 10 });
      expect(entry).toMatchObject({ action: 'user.create', detail: { admin: true } });
    });

    it('a taken email is a conflict and creates nothing', async (ctx) => {
      const store = get(ctx);
      const user = await newUser(store, { email: 'taken@example.com' });
      await expectCode(newUser(store, { email: 'taken@example.com' }), 'conflict');
      expect((await store.findUserByEmail('taken@example.com'))?.id).toBe(user.id);
    });

    it('gate first-only refuses once an account exists', async (ctx) => {
      const store = get(ctx);
      await newUser(store);
      await expectCode(newUser(store, { email: 'late@example.com', gate: { kind: 'first-only' } }), 'forbidden');
      expect(await store.findUserByEmail('late@example.com')).toBeUndefined();
    });

    it('gate invite consumes an invite exactly once', async (ctx) => {
      const store = get(ctx);
      await newUser(store);
      const hash = issueSecret('inv_').hash;
      await store.createInvite({ hash, email: null, createdAt: T0, expiresAt: T0 + DAY }, audit('invite.create'));
      const invited = await newUser(store, { gate: { kind: 'invite', inviteHash: hash }, at: T0 + HOUR });
      expect(invited.isAdmin).toBe(false);
      await expectCode(newUser(store, { email: 'again@example.com', gate: { kind: 'invite', inviteHash: hash } }), 'forbidden');
      expect(await store.findUserByEmail('again@example.com')).toBeUndefined();
      await expectCode(newUser(store, { gate: { kind: 'invite', inviteHash: 'unknown' } }), 'forbidden');
    });

    it('gate invite refuses an expired invite and another email than the invited one', async (ctx) => {
      const store = get(ctx);
      await newUser(store);
      const expired = issueSecret('inv_').hash;
      await store.createInvite({ hash: expired, email: null, createdAt: T0, expiresAt: T0 + HOUR }, audit('invite.create'));
      await expectCode(newUser(store, { gate: { kind: 'invite', inviteHash: expired }, at: T0 + HOUR }), 'forbidden');
      const bound = issueSecret('inv_').hash;
      await store.createInvite({ hash: bound, email: 'carol@example.com', createdAt: T0, expiresAt: T0 + DAY }, audit('invite.create'));
      await expectCode(newUser(store, { email: 'mallory@example.com', gate: { kind: 'invite', inviteHash: bound } }), 'forbidden');
      const carol = await newUser(store, { email: 'carol@example.com', gate: { kind: 'invite', inviteHash: bound } });
      expect(carol.email).toBe('carol@example.com');
    });

    it('concurrent sign-ups with one invite: exactly one succeeds', async (ctx) => {
      const store = get(ctx);
      await newUser(store);
      const hash = issueSecret('inv_').hash;
      await store.createInvite({ hash, email: null, createdAt: T0, expiresAt: T0 + DAY }, audit('invite.create'));
      await warm(store);
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => newUser(store, { gate: { kind: 'invite', inviteHash: hash } })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'forbidden' });
    });
  });

  describe('concurrent first sign-ups (if-first)', () => {
    const get = useStore(backend);
    it('yield exactly one admin', async (ctx) => {
      const store = get(ctx);
      await warm(store);
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => newUser(store, { admin: 'if-first' })));
      const users = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(GatehouseError);
      expect(users).toHaveLength(6);
      expect(users.filter((u) => u.isAdmin)).toHaveLength(1);
    });
  });

  describe('concurrent first sign-ups (first-only)', () => {
    const get = useStore(backend);
    it('let exactly one through', async (ctx) => {
      const store = get(ctx);
      await warm(store);
      const results = await Promise.allSettled(Array.from({ length: 4 }, () => newUser(store, { admin: 'if-first', gate: { kind: 'first-only' } })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'forbidden' });
    });
  });

  describe('sessions', () => {
    const get = useStore(backend);
    it('are found with their user until they expire, and deleted on request', async (ctx) => {
      const store = get(ctx);
      const user = await newUser(store);
      const tokenHash = issueSecret('ses_').hash;
      await store.createSession({ tokenHash, userId: user.id, createdAt: T0, expiresAt: T0 + HOUR });
      expect(await store.findSession(tokenHash, T0)).toEqual({ session: { tokenHash, userId: user.id, createdAt: T0, expiresAt: T0 + HOUR }, user });
      expect((await store.findSession(tokenHash, T0 + HOUR - 1))?.user.id).toBe(user.id);
      expect(await store.findSession(tokenHash, T0 + HOUR)).toBeUndefined();
      expect(await store.findSession('unknown', T0)).toBeUndefined();
      await store.deleteSession(tokenHash);
      expect(await store.findSession(tokenHash, T0)).toBeUndefined();
      await store.deleteSession(tokenHash);
    });
  });

  describe('api keys', () => {
    const get = useStore(backend);

    it('create, get, list (by owner, newest first) and find by secret hash', async (ctx) => {
      const store = get(ctx);
      const [alice, bob] = [await newUser(store), await newUser(store)];
      const older = await newKey(store, alice, { scopes: ['read', 'write'], expiresAt: T0 + DAY });
      const newer = await newKey(store, alice, { createdAt: T0 + 1000 });
      const bobs = await newKey(store, bob);
      expect(await store.getApiKey(older.key.id)).toEqual(older.key);
      expect(await store.getApiKey('key_missing')).toBeUndefined();
      expect((await store.listApiKeys({ ownerId: alice.id })).map((k) => k.id)).toEqual([newer.key.id, older.key.id]);
      expect((await store.listApiKeys({})).map((k) => k.id).sort()).toEqual([older.key.id, newer.key.id, bobs.key.id].sort());
      const match = await store.findApiKeyBySecretHash(older.secret.hash);
      expect(match?.key).toEqual(older.key);
      expect(match?.secret).toEqual({ hash: older.secret.hash, keyId: older.key.id, start: older.secret.start, createdAt: T0, expiresAt: null });
      expect(await store.findApiKeyBySecretHash(issueSecret('sk_').hash)).toBeUndefined();
    });

    it('revoke is idempotent, keeps the first time and emits one event', async (ctx) => {
      const store = get(ctx);
      const { key } = await newKey(store, await newUser(store));
      const seq = await store.latestCredentialEventSeq();
      expect((await store.revokeApiKey(key.id, T0 + 10, audit('api_key.revoke')))?.revokedAt).toBe(T0 + 10);
      expect((await store.revokeApiKey(key.id, T0 + 20, audit('api_key.revoke')))?.revokedAt).toBe(T0 + 10);
      expect((await store.getApiKey(key.id))?.revokedAt).toBe(T0 + 10);
      expect(await store.credentialEventsSince(seq)).toEqual([{ seq: expect.any(Number), keyId: key.id }]);
      expect(await store.revokeApiKey('key_missing', T0, audit('api_key.revoke'))).toBeUndefined();
    });

    it('roll retires live secrets at retireAt, never extends an earlier expiry, and emits an event', async (ctx) => {
      const store = get(ctx);
      const { key, secret: s1 } = await newKey(store, await newUser(store));
      const seq = await store.latestCredentialEventSeq();
      const r2 = roll(store, key.id, T0 + HOUR);
      expect(await r2.result).toEqual({ ...key, start: r2.next.start });
      expect(await secretExpiry(store, s1.hash)).toBe(T0 + HOUR);
      expect(await secretExpiry(store, r2.next.hash)).toBeNull();
      const r3 = roll(store, key.id, T0 + DAY);
      await r3.result;
      expect(await secretExpiry(store, s1.hash)).toBe(T0 + HOUR); // not extended
      expect(await secretExpiry(store, r2.next.hash)).toBe(T0 + DAY);
      const r4 = roll(store, key.id, T0 + 1000);
      await r4.result;
      expect([await secretExpiry(store, s1.hash), await secretExpiry(store, r2.next.hash), await secretExpiry(store, r3.next.hash)]).toEqual([T0 + 1000, T0 + 1000, T0 + 1000]);
      expect(await secretExpiry(store, r4.next.hash)).toBeNull();
      expect((await store.getApiKey(key.id))?.start).toBe(r4.next.start);
      expect((await store.credentialEventsSince(seq)).map((e) => e.keyId)).toEqual([key.id, key.id, key.id]);
    });

    it('roll refuses a revoked or unknown key and changes nothing', async (ctx) => {
      const store = get(ctx);
      const { key, secret } = await newKey(store, await newUser(store));
      await store.revokeApiKey(key.id, T0, audit('api_key.revoke'));
      const seq = await store.latestCredentialEventSeq();
      const r = roll(store, key.id, T0);
      expect(await r.result).toBeUndefined();
      expect(await store.findApiKeyBySecretHash(r.next.hash)).toBeUndefined();
      expect(await secretExpiry(store, secret.hash)).toBeNull();
      expect(await roll(store, 'key_missing', T0).result).toBeUndefined();
      expect(await store.credentialEventsSince(seq)).toEqual([]);
    });

    it('roll is one transaction: a failing insert leaves the old secrets untouched', async (ctx) => {
      const store = get(ctx);
      const { key, secret } = await newKey(store, await newUser(store));
      const seq = await store.latestCredentialEventSeq();
      const { secret: _plain, ...duplicate } = secret; // same hash: the insert must fail
      await expect(store.rollApiKey(key.id, duplicate, T0, audit('api_key.roll'))).rejects.toBeDefined();
      expect(await secretExpiry(store, secret.hash)).toBeNull();
      expect(await store.credentialEventsSince(seq)).toEqual([]);
    });

    it('concurrent rolls of one key leave exactly one live secret', async (ctx) => {
      const store = get(ctx);
      const { key, secret } = await newKey(store, await newUser(store));
      await warm(store);
      const rolls = Array.from({ length: 5 }, () => roll(store, key.id, T0 + HOUR));
      const results = await Promise.allSettled(rolls.map((r) => r.result));
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(GatehouseError);
      expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
      const expiries = await Promise.all([secret.hash, ...rolls.map((r) => r.next.hash)].map(async (h) => (await store.findApiKeyBySecretHash(h))?.secret));
      expect(expiries.filter((s) => s !== undefined && s.expiresAt === null)).toHaveLength(1);
      expect(await secretExpiry(store, secret.hash)).toBe(T0 + HOUR);
    });

    it('recordKeyUsage keeps the latest time per key', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      const [a, b] = [(await newKey(store, owner)).key, (await newKey(store, owner)).key];
      await store.recordKeyUsage(new Map([[a.id, T0 + 5000], [b.id, T0 + 1000], ['key_missing', T0]]));
      await store.recordKeyUsage(new Map([[a.id, T0 + 2000]]));
      expect((await store.getApiKey(a.id))?.lastUsedAt).toBe(T0 + 5000);
      expect((await store.getApiKey(b.id))?.lastUsedAt).toBe(T0 + 1000);
      await store.recordKeyUsage(new Map([[a.id, T0 + 9000]]));
      await store.recordKeyUsage(new Map());
      expect((await store.getApiKey(a.id))?.lastUsedAt).toBe(T0 + 9000);
    });
  });

  describe('grant usage', () => {
    const get = useStore(backend);
    it('recordGrantUsage keeps the latest time per grant, in one batch of many', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      const clientId = publicId('app_');
      await store.oauth.createClient(
        { id: clientId, ownerId: owner.id, name: 'app', type: 'public', redirectUris: ['https://app.example/cb'], scopes: ['read'], secretHash: null, secretStart: null, jwtAccessTokens: false, refreshGraceSeconds: 0, createdAt: T0, updatedAt: T0 },
        audit('client.create', owner.id),
      );
      const ids = Array.from({ length: 300 }, () => publicId('grt_'));
      for (const id of ids) {
        await store.oauth.createGrant({ id, clientId, userId: owner.id, scopes: ['read'], createdAt: T0, revokedAt: null, lastUsedAt: null }, { access: null, refresh: null }, null);
      }
      await store.oauth.recordGrantUsage(new Map([...ids.map((id, i) => [id, T0 + i] as const), ['grt_missing', T0]]));
      await store.oauth.recordGrantUsage(new Map([[ids[5]!, T0 + 1], [ids[6]!, T0 + 1000]]));
      expect((await store.oauth.getGrant(ids[0]!))?.lastUsedAt).toBe(T0);
      expect((await store.oauth.getGrant(ids[5]!))?.lastUsedAt).toBe(T0 + 5);
      expect((await store.oauth.getGrant(ids[6]!))?.lastUsedAt).toBe(T0 + 1000);
      expect((await store.oauth.getGrant(ids[299]!))?.lastUsedAt).toBe(T0 + 299);
      await store.oauth.recordGrantUsage(new Map());
    });
  });

  describe('credential events', () => {
    const get = useStore(backend);
    it('are ordered by sequence and read after a given sequence', async (ctx) => {
      const store = get(ctx);
      expect(await store.latestCredentialEventSeq()).toBe(0);
      expect(await store.credentialEventsSince(0)).toEqual([]);
      const owner = await newUser(store);
      const [k1, k2, k3] = [(await newKey(store, owner)).key, (await newKey(store, owner)).key, (await newKey(store, owner)).key];
      await store.revokeApiKey(k1.id, T0, audit('api_key.revoke'));
      await roll(store, k2.id, T0).result;
      await store.revokeApiKey(k3.id, T0, audit('api_key.revoke'));
      const events = await store.credentialEventsSince(0);
      expect(events.map((e) => e.keyId)).toEqual([k1.id, k2.id, k3.id]);
      const seqs = events.map((e) => e.seq);
      expect(seqs[0]).toBeGreaterThan(0);
      expect(seqs[1]).toBeGreaterThan(seqs[0]!);
      expect(seqs[2]).toBeGreaterThan(seqs[1]!);
      expect(await store.latestCredentialEventSeq()).toBe(seqs[2]);
      expect((await store.credentialEventsSince(seqs[0]!)).map((e) => e.keyId)).toEqual([k2.id, k3.id]);
      expect(await store.credentialEventsSince(seqs[2]!)).toEqual([]);
    });
  });

  describe('a schema change made by another process while the store runs', () => {
    const get = useStore(backend);
    it('keeps answering the reads it prepared before the change', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      await store.createAgent({ id: publicId('agt_'), ownerId: owner.id, name: 'a', description: '', createdAt: T0, updatedAt: T0 });
      const readAll = () => Promise.all(Array.from({ length: 12 }, () => store.listAgents(owner.id)));
      // Several pooled connections now hold the statement prepared.
      for (const list of await readAll()) expect(list).toHaveLength(1);
      await alterAgents(get.target());
      for (const list of await readAll()) expect(list.map((a) => a.name)).toEqual(['a']);
    });
  });

  describe('audit log', () => {
    const get = useStore(backend);
    it('lists newest first, filters by subject, pages with beforeId and round-trips detail', async (ctx) => {
      const store = get(ctx);
      const detail = { nested: { list: [1, 'two', null] }, flag: true, text: 'café ✓' };
      for (let i = 0; i < 6; i++) {
        await store.appendAudit({ at: T0 + i, actorType: i % 2 ? 'api_key' : 'user', actorId: `actor${i}`, subjectUserId: i % 2 ? 'usr_b' : 'usr_a', action: `act.${i}`, target: `t${i}`, ip: '198.51.100.1', ...(i === 0 ? {} : { detail: { ...detail, i } }) });
      }
      const all = await store.listAudit({ limit: 100 });
      expect(all.map((e) => e.action)).toEqual(['act.5', 'act.4', 'act.3', 'act.2', 'act.1', 'act.0']);
      for (let i = 1; i < all.length; i++) expect(all[i]!.id).toBeLessThan(all[i - 1]!.id);
      expect(all[0]).toEqual({ id: all[0]!.id, at: T0 + 5, actorType: 'api_key', actorId: 'actor5', subjectUserId: 'usr_b', action: 'act.5', target: 't5', ip: '198.51.100.1', detail: { ...detail, i: 5 } });
      expect(all[5]!.detail).toEqual({});
      expect((await store.listAudit({ subjectUserId: 'usr_a', limit: 100 })).map((e) => e.action)).toEqual(['act.4', 'act.2', 'act.0']);
      const page1 = await store.listAudit({ limit: 4 });
      const page2 = await store.listAudit({ limit: 4, beforeId: page1.at(-1)!.id });
      expect([...page1, ...page2]).toEqual(all);
      expect((await store.listAudit({ subjectUserId: 'usr_b', limit: 1, beforeId: all[0]!.id })).map((e) => e.action)).toEqual(['act.3']);
    });
  });

  describe('agents', () => {
    const get = useStore(backend);
    it('are created, listed, read, updated and deleted only by their owner', async (ctx) => {
      const store = get(ctx);
      const [a, b] = [await newUser(store), await newUser(store)];
      const agent = (owner: UserRecord, name: string, at: number) => ({ id: publicId('agt_'), ownerId: owner.id, name, description: `${name} desc`, createdAt: at, updatedAt: at });
      const [a1, a2, b1] = [agent(a, 'one', T0 + 1), agent(a, 'two', T0 + 2), agent(b, 'three', T0)];
      for (const x of [a2, b1, a1]) await store.createAgent(x);
      expect(await store.listAgents(a.id)).toEqual([a1, a2]);
      expect(await store.listAgents(b.id)).toEqual([b1]);
      expect(await store.getAgent(a.id, a1.id)).toEqual(a1);
      expect(await store.getAgent(b.id, a1.id)).toBeUndefined();
      expect(await store.updateAgent(b.id, a1.id, { name: 'stolen', updatedAt: T0 + 9 })).toBeUndefined();
      expect(await store.deleteAgent(b.id, a1.id)).toBe(false);
      expect(await store.getAgent(a.id, a1.id)).toEqual(a1);
      expect(await store.updateAgent(a.id, a1.id, { name: 'renamed', updatedAt: T0 + 10 })).toEqual({ ...a1, name: 'renamed', updatedAt: T0 + 10 });
      expect(await store.updateAgent(a.id, a1.id, { description: 'new', updatedAt: T0 + 11 })).toEqual({ ...a1, name: 'renamed', description: 'new', updatedAt: T0 + 11 });
      expect(await store.updateAgent(a.id, 'agt_missing', { name: 'x', updatedAt: T0 })).toBeUndefined();
      expect(await store.deleteAgent(a.id, a1.id)).toBe(true);
      expect(await store.deleteAgent(a.id, a1.id)).toBe(false);
      expect(await store.listAgents(a.id)).toEqual([a2]);
    });
  });

  describe('maintenance', () => {
    const get = useStore(backend);
    it('migrate() again is a no-op that keeps data; ping() answers', async (ctx) => {
      const store = get(ctx);
      expect(store.kind).toBe(backend.name);
      const user = await newUser(store);
      await store.migrate();
      await store.migrate();
      expect(await store.getUser(user.id)).toEqual(user);
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
});
