/**
 * The shared storage suite, the logs: credential events (what other instances poll to drop
 * cached credentials) and the audit log. Run against both real backends.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { T0, audit, newKey, newUser, roll, useStore } from './support.js';

describe.each(BACKENDS)('Store logs on $name', (backend) => {
  describe('credential events', () => {
    const get = useStore(backend);
    it('are ordered by sequence and read after a given sequence', async (ctx) => {
      const store = get(ctx);
      expect(await store.events.latestSeq()).toBe(0);
      expect(await store.events.since(0)).toEqual([]);
      const owner = await newUser(store);
      const [k1, k2, k3] = [(await newKey(store, owner)).key, (await newKey(store, owner)).key, (await newKey(store, owner)).key];
      await store.apiKeys.revoke(k1.id, T0, audit('api_key.revoke'));
      await roll(store, k2.id, T0).result;
      await store.apiKeys.revoke(k3.id, T0, audit('api_key.revoke'));
      const events = await store.events.since(0);
      expect(events.map((e) => e.keyId)).toEqual([k1.id, k2.id, k3.id]);
      const seqs = events.map((e) => e.seq);
      expect(seqs[0]).toBeGreaterThan(0);
      expect(seqs[1]).toBeGreaterThan(seqs[0]!);
      expect(seqs[2]).toBeGreaterThan(seqs[1]!);
      expect(await store.events.latestSeq()).toBe(seqs[2]);
      expect((await store.events.since(seqs[0]!)).map((e) => e.keyId)).toEqual([k2.id, k3.id]);
      expect(await store.events.since(seqs[2]!)).toEqual([]);
    });
  });

  describe('audit log', () => {
    const get = useStore(backend);
    it('lists newest first, filters by subject, pages with beforeId and round-trips detail', async (ctx) => {
      const store = get(ctx);
      const detail = { nested: { list: [1, 'two', null] }, flag: true, text: 'café ✓' };
      for (let i = 0; i < 6; i++) {
        await store.audit.append({ at: T0 + i, actorType: i % 2 ? 'api_key' : 'user', actorId: `actor${i}`, subjectUserId: i % 2 ? 'usr_b' : 'usr_a', action: `act.${i}`, target: `t${i}`, ip: '198.51.100.1', ...(i === 0 ? {} : { detail: { ...detail, i } }) });
      }
      const all = await store.audit.list({ limit: 100 });
      expect(all.map((e) => e.action)).toEqual(['act.5', 'act.4', 'act.3', 'act.2', 'act.1', 'act.0']);
      for (let i = 1; i < all.length; i++) expect(all[i]!.id).toBeLessThan(all[i - 1]!.id);
      expect(all[0]).toEqual({ id: all[0]!.id, at: T0 + 5, actorType: 'api_key', actorId: 'actor5', subjectUserId: 'usr_b', action: 'act.5', target: 't5', ip: '198.51.100.1', detail: { ...detail, i: 5 } });
      expect(all[5]!.detail).toEqual({});
      expect((await store.audit.list({ subjectUserId: 'usr_a', limit: 100 })).map((e) => e.action)).toEqual(['act.4', 'act.2', 'act.0']);
      const page1 = await store.audit.list({ limit: 4 });
      const page2 = await store.audit.list({ limit: 4, beforeId: page1.at(-1)!.id });
      expect([...page1, ...page2]).toEqual(all);
      expect((await store.audit.list({ subjectUserId: 'usr_b', limit: 1, beforeId: all[0]!.id })).map((e) => e.action)).toEqual(['act.3']);
    });
  });
});
