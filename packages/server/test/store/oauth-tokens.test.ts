/**
 * The shared storage suite, OAuth tokens: access tokens are found with their grant and app in
 * one read and revoked one by one; a refresh-token rotation is a compare-and-set that reports
 * rotated | reused | unknown, and of many concurrent rotations of one token exactly one wins
 * and only its tokens exist (RFC 9700 §4.14.2). Run against both real backends (PostgreSQL
 * rotates in one statement, SQLite in one IMMEDIATE transaction).
 */
import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../src/core/model/client.js';
import type { UserRecord } from '../../src/core/model/user.js';
import type { Store } from '../../src/store/store.js';
import { HOUR, T0, accessRecord, newClient, newGrant, newUser, tokenPair, useStore, warm } from './support.js';
import { BACKENDS } from '../helpers/backends.js';

async function setting(store: Store): Promise<{ owner: UserRecord; user: UserRecord; client: ClientRecord }> {
  const [owner, user] = [await newUser(store), await newUser(store)];
  return { owner, user, client: await newClient(store, owner) };
}

describe.each(BACKENDS)('Store OAuth tokens on $name', (backend) => {
  describe('access tokens', () => {
    const get = useStore(backend);

    it('findAccess: the token with its grant and its app (id and owner), in one read', async (ctx) => {
      const store = get(ctx);
      const { owner, user, client } = await setting(store);
      const { grant, tokens } = await newGrant(store, client, user, { scopes: ['read', 'write'] });
      expect(await store.oauth.tokens.findAccess(tokens.access.hash)).toEqual({ token: tokens.access, grant, client: { id: client.id, ownerId: owner.id } });
      expect(await store.oauth.tokens.findAccess(tokens.refresh.hash)).toBeUndefined();
      expect(await store.oauth.tokens.findAccess('unknown')).toBeUndefined();
    });

    it('addAccess adds a token to an existing grant', async (ctx) => {
      const store = get(ctx);
      const { owner, user, client } = await setting(store);
      const { grant } = await newGrant(store, client, user);
      const { secret: _plain, ...extra } = accessRecord(grant.id, T0 + 5, ['read']);
      await store.oauth.tokens.addAccess(extra);
      expect(await store.oauth.tokens.findAccess(extra.hash)).toEqual({ token: extra, grant, client: { id: client.id, ownerId: owner.id } });
    });

    it('revokeAccess revokes one token once, with one credential event named by its digest', async (ctx) => {
      const store = get(ctx);
      const { user, client } = await setting(store);
      const { grant, tokens } = await newGrant(store, client, user);
      const { secret: _plain, ...sibling } = accessRecord(grant.id);
      await store.oauth.tokens.addAccess(sibling);
      const seq = await store.events.latestSeq();
      expect(await store.oauth.tokens.revokeAccess(tokens.access.hash, T0 + 10)).toBe(true);
      expect(await store.oauth.tokens.revokeAccess(tokens.access.hash, T0 + 20)).toBe(false);
      expect(await store.oauth.tokens.revokeAccess('unknown', T0)).toBe(false);
      expect(await store.oauth.tokens.findAccess(tokens.access.hash)).toBeUndefined();
      expect((await store.oauth.tokens.findAccess(sibling.hash))?.token).toEqual(sibling);
      expect((await store.oauth.grants.get(grant.id))?.revokedAt).toBeNull();
      expect(await store.events.since(seq)).toEqual([{ seq: expect.any(Number), keyId: tokens.access.hash }]);
    });
  });

  describe('refresh tokens', () => {
    const get = useStore(backend);

    it('findRefresh: the token with its grant; unknown otherwise', async (ctx) => {
      const store = get(ctx);
      const { user, client } = await setting(store);
      const { grant, tokens } = await newGrant(store, client, user);
      expect(await store.oauth.tokens.findRefresh(tokens.refresh.hash)).toEqual({ token: tokens.refresh, grant });
      expect(await store.oauth.tokens.findRefresh(tokens.access.hash)).toBeUndefined();
    });

    it('rotateRefresh: rotated once (successor kept sealed, new tokens stored), then reused, and unknown for a stranger', async (ctx) => {
      const store = get(ctx);
      const { user, client } = await setting(store);
      const { grant, tokens } = await newGrant(store, client, user);
      const next = tokenPair(grant.id, T0 + HOUR);
      expect(await store.oauth.tokens.rotateRefresh(tokens.refresh.hash, T0 + HOUR, next, 'sealed-successor')).toEqual({ status: 'rotated' });
      const rotated = { ...tokens.refresh, rotatedAt: T0 + HOUR, successorSealed: 'sealed-successor' };
      expect((await store.oauth.tokens.findRefresh(tokens.refresh.hash))?.token).toEqual(rotated);
      expect((await store.oauth.tokens.findRefresh(next.refresh.hash))?.token).toEqual(next.refresh);
      expect((await store.oauth.tokens.findAccess(next.access.hash))?.token).toEqual(next.access);

      const late = tokenPair(grant.id, T0 + 2 * HOUR);
      expect(await store.oauth.tokens.rotateRefresh(tokens.refresh.hash, T0 + 2 * HOUR, late, null)).toEqual({ status: 'reused', token: rotated });
      expect(await store.oauth.tokens.findRefresh(late.refresh.hash)).toBeUndefined();
      expect(await store.oauth.tokens.findAccess(late.access.hash)).toBeUndefined();
      expect(await store.oauth.tokens.rotateRefresh('unknown', T0, tokenPair(grant.id), null)).toEqual({ status: 'unknown' });
    });

    it('rotateRefresh may issue an access token alone (the refresh token then stays the rotated one)', async (ctx) => {
      const store = get(ctx);
      const { user, client } = await setting(store);
      const { grant, tokens } = await newGrant(store, client, user);
      const { access } = tokenPair(grant.id, T0 + 1);
      expect(await store.oauth.tokens.rotateRefresh(tokens.refresh.hash, T0 + 1, { access, refresh: null }, null)).toEqual({ status: 'rotated' });
      expect((await store.oauth.tokens.findAccess(access.hash))?.token).toEqual(access);
      expect((await store.oauth.tokens.findRefresh(tokens.refresh.hash))?.token.rotatedAt).toBe(T0 + 1);
    });

    it('of many concurrent rotations of one token exactly one wins, and only its tokens exist', async (ctx) => {
      const store = get(ctx);
      const { user, client } = await setting(store);
      await warm(store);
      for (let round = 0; round < 3; round++) {
        const { grant, tokens } = await newGrant(store, client, user);
        const attempts = Array.from({ length: 8 }, (_, i) => tokenPair(grant.id, T0 + i));
        const results = await Promise.all(attempts.map((next, i) => store.oauth.tokens.rotateRefresh(tokens.refresh.hash, T0 + i, next, `sealed-${i}`)));
        const winners = results.flatMap((r, i) => (r.status === 'rotated' ? [i] : []));
        expect(winners).toHaveLength(1);
        const won = winners[0]!;
        for (const r of results) if (r.status === 'reused') expect(r.token).toMatchObject({ hash: tokens.refresh.hash, rotatedAt: T0 + won, successorSealed: `sealed-${won}` });
        expect(results.filter((r) => r.status === 'reused')).toHaveLength(7);
        for (const [i, next] of attempts.entries()) {
          const stored = i === won;
          expect((await store.oauth.tokens.findRefresh(next.refresh.hash)) !== undefined, `attempt ${i}`).toBe(stored);
          expect((await store.oauth.tokens.findAccess(next.access.hash)) !== undefined, `attempt ${i}`).toBe(stored);
        }
      }
    });
  });
});
