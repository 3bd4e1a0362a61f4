/**
 * The shared storage suite, API keys: create and find by secret digest, revoke (idempotent,
 * one event), roll (one transaction, never extending an expiry, also under concurrency),
 * batched usage, and the bulk load. Run against both real backends.
 */
import { describe, expect, it } from 'vitest';
import { hashSecret, issueSecret, publicId } from '../../src/core/credentials.js';
import { BACKENDS } from '../helpers/backends.js';
import { DAY, HOUR, T0, audit, keyRecord, newKey, newUser, roll, secretExpiry, secretRecord, useStore, warm } from './support.js';

describe.each(BACKENDS)('Store API keys on $name', (backend) => {
  describe('api keys', () => {
    const get = useStore(backend);

    it('create, get, list (by owner, newest first) and find by secret hash', async (ctx) => {
      const store = get(ctx);
      const [alice, bob] = [await newUser(store), await newUser(store)];
      const older = await newKey(store, alice, { scopes: ['read', 'write'], expiresAt: T0 + DAY });
      const newer = await newKey(store, alice, { createdAt: T0 + 1000 });
      const bobs = await newKey(store, bob);
      expect(await store.apiKeys.get(older.key.id)).toEqual(older.key);
      expect(await store.apiKeys.get('key_missing')).toBeUndefined();
      expect((await store.apiKeys.list({ ownerId: alice.id })).map((k) => k.id)).toEqual([newer.key.id, older.key.id]);
      expect((await store.apiKeys.list({})).map((k) => k.id).sort()).toEqual([older.key.id, newer.key.id, bobs.key.id].sort());
      const match = await store.apiKeys.findBySecretHash(older.secret.hash);
      expect(match?.key).toEqual(older.key);
      expect(match?.secret).toEqual({ hash: older.secret.hash, keyId: older.key.id, start: older.secret.start, createdAt: T0, expiresAt: null });
      expect(await store.apiKeys.findBySecretHash(issueSecret('sk_').hash)).toBeUndefined();
    });

    it('revoke is idempotent, keeps the first time and emits one event', async (ctx) => {
      const store = get(ctx);
      const { key } = await newKey(store, await newUser(store));
      const seq = await store.events.latestSeq();
      expect((await store.apiKeys.revoke(key.id, T0 + 10, audit('api_key.revoke')))?.revokedAt).toBe(T0 + 10);
      expect((await store.apiKeys.revoke(key.id, T0 + 20, audit('api_key.revoke')))?.revokedAt).toBe(T0 + 10);
      expect((await store.apiKeys.get(key.id))?.revokedAt).toBe(T0 + 10);
      expect(await store.events.since(seq)).toEqual([{ seq: expect.any(Number), keyId: key.id }]);
      expect(await store.apiKeys.revoke('key_missing', T0, audit('api_key.revoke'))).toBeUndefined();
    });

    it('roll retires live secrets at retireAt, never extends an earlier expiry, and emits an event', async (ctx) => {
      const store = get(ctx);
      const { key, secret: s1 } = await newKey(store, await newUser(store));
      const seq = await store.events.latestSeq();
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
      expect((await store.apiKeys.get(key.id))?.start).toBe(r4.next.start);
      expect((await store.events.since(seq)).map((e) => e.keyId)).toEqual([key.id, key.id, key.id]);
    });

    it('roll refuses a revoked or unknown key and changes nothing', async (ctx) => {
      const store = get(ctx);
      const { key, secret } = await newKey(store, await newUser(store));
      await store.apiKeys.revoke(key.id, T0, audit('api_key.revoke'));
      const seq = await store.events.latestSeq();
      const r = roll(store, key.id, T0);
      expect(await r.result).toBeUndefined();
      expect(await store.apiKeys.findBySecretHash(r.next.hash)).toBeUndefined();
      expect(await secretExpiry(store, secret.hash)).toBeNull();
      expect(await roll(store, 'key_missing', T0).result).toBeUndefined();
      expect(await store.events.since(seq)).toEqual([]);
    });

    it('roll is one transaction: a failing insert leaves the old secrets untouched', async (ctx) => {
      const store = get(ctx);
      const { key, secret } = await newKey(store, await newUser(store));
      const seq = await store.events.latestSeq();
      const { secret: _plain, ...duplicate } = secret; // same hash: the insert must fail
      await expect(store.apiKeys.roll(key.id, duplicate, T0, audit('api_key.roll'))).rejects.toBeDefined();
      expect(await secretExpiry(store, secret.hash)).toBeNull();
      expect(await store.events.since(seq)).toEqual([]);
    });

    it('concurrent rolls of one key leave exactly one live secret', async (ctx) => {
      const store = get(ctx);
      const { key, secret } = await newKey(store, await newUser(store));
      await warm(store);
      const rolls = Array.from({ length: 5 }, () => roll(store, key.id, T0 + HOUR));
      // Each roll is serialized (BEGIN IMMEDIATE; serialization retries on PostgreSQL): all succeed.
      const results = await Promise.all(rolls.map((r) => r.result));
      expect(results.every((k) => k?.id === key.id)).toBe(true);
      const expiries = await Promise.all([secret.hash, ...rolls.map((r) => r.next.hash)].map(async (h) => (await store.apiKeys.findBySecretHash(h))?.secret));
      expect(expiries.filter((s) => s !== undefined && s.expiresAt === null)).toHaveLength(1);
      expect(await secretExpiry(store, secret.hash)).toBe(T0 + HOUR);
    });

    it('recordUsage keeps the latest time per key', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      const [a, b] = [(await newKey(store, owner)).key, (await newKey(store, owner)).key];
      await store.apiKeys.recordUsage(new Map([[a.id, T0 + 5000], [b.id, T0 + 1000], ['key_missing', T0]]));
      await store.apiKeys.recordUsage(new Map([[a.id, T0 + 2000]]));
      expect((await store.apiKeys.get(a.id))?.lastUsedAt).toBe(T0 + 5000);
      expect((await store.apiKeys.get(b.id))?.lastUsedAt).toBe(T0 + 1000);
      await store.apiKeys.recordUsage(new Map([[a.id, T0 + 9000]]));
      await store.apiKeys.recordUsage(new Map());
      expect((await store.apiKeys.get(a.id))?.lastUsedAt).toBe(T0 + 9000);
    });

    it('createMany writes many keys in one transaction with one audit entry, findable by secret digest', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      const batch = Array.from({ length: 2345 }, (_, i) => {
        const id = publicId('key_');
        const { secret, ...record } = secretRecord(id);
        return { plain: secret, key: keyRecord(owner, record.start, { id, scopes: ['read', 'write'], createdAt: T0 + i }), secret: record };
      });
      await store.apiKeys.createMany(batch, audit('api_key.seed', owner.id, { keys: batch.length }));
      await store.apiKeys.createMany([], null);
      const listed = await store.apiKeys.list({ ownerId: owner.id });
      expect(listed).toHaveLength(batch.length);
      expect(listed[0]).toEqual(batch.at(-1)!.key);
      for (const i of [0, 999, 1000, 2344]) {
        const { key, secret, plain } = batch[i]!;
        expect(await store.apiKeys.findBySecretHash(hashSecret(plain))).toEqual({ key, secret });
      }
      const entries = await store.audit.list({ subjectUserId: owner.id, limit: 10 });
      expect(entries.filter((e) => e.action === 'api_key.seed').map((e) => e.detail)).toEqual([{ keys: batch.length }]);
    });

    it('createMany is one transaction: a duplicate anywhere in the batch writes nothing', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      const batch = Array.from({ length: 1500 }, () => {
        const id = publicId('key_');
        const { secret: _plain, ...record } = secretRecord(id);
        return { key: keyRecord(owner, record.start, { id }), secret: record };
      });
      batch[1400] = { ...batch[1400]!, secret: { ...batch[1400]!.secret, hash: batch[3]!.secret.hash } };
      await expect(store.apiKeys.createMany(batch, audit('api_key.seed', owner.id))).rejects.toBeDefined();
      expect(await store.apiKeys.list({ ownerId: owner.id })).toEqual([]);
      expect(await store.audit.list({ subjectUserId: owner.id, limit: 10 })).toHaveLength(1); // user.create only
    });
  });
});
