/**
 * The shared storage suite, authorization codes and grants: a code is consumed by exactly one
 * of many concurrent callers and every later one learns the grant it produced (RFC 9700
 * §4.5.3), even when the replay comes before that grant exists; grants start with their
 * tokens, revoke idempotently with one credential event, list per user, and are taken back
 * from an app with its consent. Run against both real backends.
 */
import { describe, expect, it } from 'vitest';
import { publicId } from '../../src/core/credentials.js';
import { BACKENDS } from '../helpers/backends.js';
import { T0, audit, codeRecord, grantRecord, newClient, newGrant, newUser, tokenPair, useStore, warm } from './support.js';

describe.each(BACKENDS)('Store OAuth codes and grants on $name', (backend) => {
  describe('authorization codes', () => {
    const get = useStore(backend);

    it('consume: the code once, then reused with the grant it produced; unknown codes are unknown', async (ctx) => {
      const store = get(ctx);
      const [owner, user] = [await newUser(store), await newUser(store)];
      const client = await newClient(store, owner);
      const code = codeRecord(client, user, { scopes: ['read', 'write'], codeChallenge: null });
      await store.oauth.codes.create(code);
      expect(await store.oauth.codes.consume(code.hash, T0 + 1)).toEqual({ status: 'consumed', code });
      const grant = grantRecord(client, user, { createdAt: T0 + 1 });
      await store.oauth.grants.create(grant, tokenPair(grant.id, T0 + 1), code.hash);
      expect((await store.oauth.grants.get(grant.id))?.revokedAt).toBeNull();
      expect(await store.oauth.codes.consume(code.hash, T0 + 2)).toEqual({ status: 'reused', code, grantId: grant.id });
      expect(await store.oauth.codes.consume(code.hash, T0 + 3)).toEqual({ status: 'reused', code, grantId: grant.id });
      expect(await store.oauth.codes.consume('unknown', T0)).toEqual({ status: 'unknown' });
    });

    it('a replay before the winner made its grant: the grant is born revoked, with its event', async (ctx) => {
      const store = get(ctx);
      const [owner, user] = [await newUser(store), await newUser(store)];
      const client = await newClient(store, owner);
      const code = codeRecord(client, user);
      await store.oauth.codes.create(code);
      expect((await store.oauth.codes.consume(code.hash, T0 + 1)).status).toBe('consumed');
      expect(await store.oauth.codes.consume(code.hash, T0 + 2)).toEqual({ status: 'reused', code, grantId: null });
      const seq = await store.events.latestSeq();
      const grant = grantRecord(client, user, { createdAt: T0 + 3 });
      const tokens = tokenPair(grant.id, T0 + 3);
      await store.oauth.grants.create(grant, tokens, code.hash);
      expect((await store.oauth.grants.get(grant.id))?.revokedAt).toBe(T0 + 3);
      expect((await store.oauth.tokens.findAccess(tokens.access.hash))?.grant.revokedAt).toBe(T0 + 3);
      expect(await store.events.since(seq)).toEqual([{ seq: expect.any(Number), keyId: grant.id }]);
      // Later replays still name no grant to revoke: the one made was revoked already.
      expect(await store.oauth.codes.consume(code.hash, T0 + 4)).toEqual({ status: 'reused', code, grantId: null });
    });

    it('exactly one of many concurrent consumers gets the code; every other one is told it was reused', async (ctx) => {
      const store = get(ctx);
      const [owner, user] = [await newUser(store), await newUser(store)];
      const client = await newClient(store, owner);
      await warm(store);
      for (let round = 0; round < 3; round++) {
        const code = codeRecord(client, user);
        await store.oauth.codes.create(code);
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.oauth.codes.consume(code.hash, T0 + i)));
        expect(results.filter((r) => r.status === 'consumed')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'reused')).toHaveLength(7);
        for (const r of results) if (r.status !== 'unknown') expect(r.code).toEqual(code);
      }
    });
  });

  describe('grants', () => {
    const get = useStore(backend);

    it('create with tokens, get, and revoke idempotently with one event and its audit entry', async (ctx) => {
      const store = get(ctx);
      const [owner, user] = [await newUser(store), await newUser(store)];
      const client = await newClient(store, owner);
      const { grant, tokens } = await newGrant(store, client, user, { scopes: ['read', 'write'] });
      expect(await store.oauth.grants.get(grant.id)).toEqual(grant);
      expect(await store.oauth.grants.get('grt_missing')).toBeUndefined();
      expect((await store.oauth.tokens.findAccess(tokens.access.hash))?.grant).toEqual(grant);
      expect((await store.oauth.tokens.findRefresh(tokens.refresh.hash))?.grant).toEqual(grant);
      const seq = await store.events.latestSeq();
      expect(await store.oauth.grants.revoke(grant.id, T0 + 10, audit('grant.revoke', user.id))).toBe(true);
      expect(await store.oauth.grants.revoke(grant.id, T0 + 20, audit('grant.revoke', user.id))).toBe(false);
      expect(await store.oauth.grants.revoke('grt_missing', T0, null)).toBe(false);
      expect((await store.oauth.grants.get(grant.id))?.revokedAt).toBe(T0 + 10);
      expect((await store.oauth.tokens.findAccess(tokens.access.hash))?.grant.revokedAt).toBe(T0 + 10);
      expect(await store.events.since(seq)).toEqual([{ seq: expect.any(Number), keyId: grant.id }]);
      expect((await store.audit.list({ subjectUserId: user.id, limit: 10 })).filter((e) => e.action === 'grant.revoke')).toHaveLength(1);
    });

    it('client_credentials grants have no user and may start without tokens', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      const client = await newClient(store, owner);
      const grant = grantRecord(client, null);
      await store.oauth.grants.create(grant, { access: null, refresh: null }, null);
      expect(await store.oauth.grants.get(grant.id)).toEqual({ ...grant, userId: null });
    });

    it("listForUser: the user's live grants, newest first, with their apps' names", async (ctx) => {
      const store = get(ctx);
      const [owner, user, other] = [await newUser(store), await newUser(store), await newUser(store)];
      const [app1, app2] = [await newClient(store, owner, { name: 'First' }), await newClient(store, owner, { name: 'Second' })];
      const old = await newGrant(store, app1, user, { createdAt: T0 });
      const recent = await newGrant(store, app2, user, { createdAt: T0 + 5 });
      const revoked = await newGrant(store, app2, user, { createdAt: T0 + 9 });
      await newGrant(store, app1, other);
      await store.oauth.grants.revoke(revoked.grant.id, T0 + 10, null);
      expect(await store.oauth.grants.listForUser(user.id)).toEqual([
        { ...recent.grant, clientName: 'Second' },
        { ...old.grant, clientName: 'First' },
      ]);
      expect(await store.oauth.grants.listForUser('usr_nobody')).toEqual([]);
    });

    it("revokeAppAccess revokes the user's live grants for that app only and forgets the consent", async (ctx) => {
      const store = get(ctx);
      const [owner, user, other] = [await newUser(store), await newUser(store), await newUser(store)];
      const [app, otherApp] = [await newClient(store, owner), await newClient(store, owner)];
      const [g1, g2, done] = [await newGrant(store, app, user), await newGrant(store, app, user), await newGrant(store, app, user)];
      await store.oauth.grants.revoke(done.grant.id, T0 + 1, null);
      const [othersGrant, otherAppGrant] = [await newGrant(store, app, other), await newGrant(store, otherApp, user)];
      await store.oauth.consents.save(user.id, app.id, ['read'], T0);
      await store.oauth.consents.save(user.id, otherApp.id, ['read'], T0);
      const seq = await store.events.latestSeq();
      const ids = await store.oauth.grants.revokeAppAccess(user.id, app.id, T0 + 10, audit('grant.revoke', user.id));
      expect(ids.sort()).toEqual([g1.grant.id, g2.grant.id].sort());
      expect((await store.events.since(seq)).map((e) => e.keyId).sort()).toEqual(ids);
      for (const g of [g1, g2]) expect((await store.oauth.grants.get(g.grant.id))?.revokedAt).toBe(T0 + 10);
      expect((await store.oauth.grants.get(done.grant.id))?.revokedAt).toBe(T0 + 1);
      for (const g of [othersGrant, otherAppGrant]) expect((await store.oauth.grants.get(g.grant.id))?.revokedAt).toBeNull();
      expect(await store.oauth.consents.get(user.id, app.id)).toBeUndefined();
      expect(await store.oauth.consents.get(user.id, otherApp.id)).toEqual(['read']);
      const [entry] = await store.audit.list({ subjectUserId: user.id, limit: 1 });
      expect(entry).toMatchObject({ action: 'grant.revoke', detail: { grants: 2 } });
      expect(await store.oauth.grants.revokeAppAccess(user.id, app.id, T0 + 20, audit('grant.revoke', user.id))).toEqual([]);
    });

    it('recordUsage keeps the latest time per grant, in one batch of many', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      const client = await newClient(store, owner, { type: 'public', secretHash: null, secretStart: null });
      const ids = Array.from({ length: 300 }, () => publicId('grt_'));
      for (const id of ids) await store.oauth.grants.create(grantRecord(client, owner, { id }), { access: null, refresh: null }, null);
      await store.oauth.grants.recordUsage(new Map([...ids.map((id, i) => [id, T0 + i] as const), ['grt_missing', T0]]));
      await store.oauth.grants.recordUsage(new Map([[ids[5]!, T0 + 1], [ids[6]!, T0 + 1000]]));
      expect((await store.oauth.grants.get(ids[0]!))?.lastUsedAt).toBe(T0);
      expect((await store.oauth.grants.get(ids[5]!))?.lastUsedAt).toBe(T0 + 5);
      expect((await store.oauth.grants.get(ids[6]!))?.lastUsedAt).toBe(T0 + 1000);
      expect((await store.oauth.grants.get(ids[299]!))?.lastUsedAt).toBe(T0 + 299);
      await store.oauth.grants.recordUsage(new Map());
    });
  });
});
