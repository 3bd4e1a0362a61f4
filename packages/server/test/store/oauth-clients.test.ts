/**
 * The shared storage suite, OAuth apps and consents: apps round-trip every field, list per
 * owner newest first, change with a credential event (other instances cache apps), and take
 * their grants with them when deleted; consents are upserted, never colliding. Run against
 * both real backends.
 */
import { describe, expect, it } from 'vitest';
import { issueSecret } from '../../src/core/credentials.js';
import { BACKENDS } from '../helpers/backends.js';
import { T0, audit, newClient, newGrant, newUser, useStore, warm } from './support.js';

describe.each(BACKENDS)('Store OAuth apps and consents on $name', (backend) => {
  describe('clients', () => {
    const get = useStore(backend);

    it('create, get and list (one owner newest first, or all) with every field as written', async (ctx) => {
      const store = get(ctx);
      const [alice, bob] = [await newUser(store), await newUser(store)];
      const older = await newClient(store, alice, { jwtAccessTokens: true, refreshGraceSeconds: 60 });
      const newer = await newClient(store, alice, { type: 'public', secretHash: null, secretStart: null, redirectUris: ['http://[::1]/cb'], scopes: [], createdAt: T0 + 1000, updatedAt: T0 + 1000 });
      const bobs = await newClient(store, bob, { name: 'Bob’s app ✓' });
      expect(await store.oauth.clients.get(older.id)).toEqual(older);
      expect(await store.oauth.clients.get(newer.id)).toEqual(newer);
      expect(await store.oauth.clients.get(bobs.id)).toEqual(bobs);
      expect(await store.oauth.clients.get('app_missing')).toBeUndefined();
      expect(await store.oauth.clients.list(alice.id)).toEqual([newer, older]);
      expect((await store.oauth.clients.list()).map((c) => c.id).sort()).toEqual([older.id, newer.id, bobs.id].sort());
      expect(await store.oauth.clients.list('usr_nobody')).toEqual([]);
      const [entry] = await store.audit.list({ subjectUserId: bob.id, limit: 1 });
      expect(entry?.action).toBe('client.create');
    });

    it('update replaces the mutable fields, keeps owner and creation time, and emits a credential event', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      const client = await newClient(store, owner);
      const seq = await store.events.latestSeq();
      const secret = issueSecret('cs_');
      const next = { ...client, name: 'renamed', redirectUris: ['https://b.example/cb'], scopes: ['read'], secretHash: secret.hash, secretStart: secret.start, jwtAccessTokens: true, refreshGraceSeconds: 300, updatedAt: T0 + 5 };
      await store.oauth.clients.update({ ...next, ownerId: 'usr_other', createdAt: T0 + 99 }, audit('client.update', owner.id));
      expect(await store.oauth.clients.get(client.id)).toEqual(next);
      expect(await store.events.since(seq)).toEqual([{ seq: expect.any(Number), keyId: client.id }]);
    });

    it('delete revokes every live grant of the app (one event each, and one for the app) and answers false the second time', async (ctx) => {
      const store = get(ctx);
      const [owner, user] = [await newUser(store), await newUser(store)];
      const client = await newClient(store, owner);
      const other = await newClient(store, owner);
      const [g1, g2, kept] = [await newGrant(store, client, user), await newGrant(store, client, null), await newGrant(store, other, user)];
      await store.oauth.grants.revoke(g2.grant.id, T0 + 1, null);
      const seq = await store.events.latestSeq();
      expect(await store.oauth.clients.delete(client.id, T0 + 10, audit('client.delete', owner.id))).toBe(true);
      expect(await store.oauth.clients.get(client.id)).toBeUndefined();
      expect((await store.events.since(seq)).map((e) => e.keyId)).toEqual([g1.grant.id, client.id]);
      // Its grants and tokens are gone with it; another app's are untouched.
      expect(await store.oauth.grants.get(g1.grant.id)).toBeUndefined();
      expect(await store.oauth.tokens.findAccess(g1.tokens.access.hash)).toBeUndefined();
      expect(await store.oauth.tokens.findRefresh(g1.tokens.refresh.hash)).toBeUndefined();
      expect((await store.oauth.grants.get(kept.grant.id))?.revokedAt).toBeNull();
      expect(await store.oauth.clients.delete(client.id, T0 + 20, audit('client.delete', owner.id))).toBe(false);
      expect(await store.events.since(seq)).toHaveLength(2);
    });
  });

  describe('consents', () => {
    const get = useStore(backend);

    it('are unknown until saved, replaced by a later save, per user and app, and deleted', async (ctx) => {
      const store = get(ctx);
      const [alice, bob] = [await newUser(store), await newUser(store)];
      const [app1, app2] = [await newClient(store, alice), await newClient(store, alice)];
      expect(await store.oauth.consents.get(alice.id, app1.id)).toBeUndefined();
      await store.oauth.consents.save(alice.id, app1.id, ['read'], T0);
      await store.oauth.consents.save(alice.id, app2.id, [], T0);
      expect(await store.oauth.consents.get(alice.id, app1.id)).toEqual(['read']);
      expect(await store.oauth.consents.get(alice.id, app2.id)).toEqual([]);
      expect(await store.oauth.consents.get(bob.id, app1.id)).toBeUndefined();
      await store.oauth.consents.save(alice.id, app1.id, ['read', 'write'], T0 + 1);
      expect(await store.oauth.consents.get(alice.id, app1.id)).toEqual(['read', 'write']);
      await store.oauth.consents.delete(alice.id, app1.id);
      expect(await store.oauth.consents.get(alice.id, app1.id)).toBeUndefined();
      expect(await store.oauth.consents.get(alice.id, app2.id)).toEqual([]);
      await store.oauth.consents.delete(alice.id, app1.id);
    });

    it('concurrent saves for the same user and app never collide: one of them is kept', async (ctx) => {
      const store = get(ctx);
      const user = await newUser(store);
      const appId = (await newClient(store, user)).id;
      await warm(store);
      const choices = [['read'], ['write'], ['read', 'write'], ['admin'], ['delete']];
      await Promise.all(choices.map((scopes, i) => store.oauth.consents.save(user.id, appId, scopes, T0 + i)));
      expect(choices).toContainEqual(await store.oauth.consents.get(user.id, appId));
    });
  });
});
