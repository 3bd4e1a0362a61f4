/**
 * The app cache behind client authentication: one read per app while it lives, a fresh read
 * after its TTL or an invalidation, and an unknown id asked again every time (so an app created
 * on another instance is found at once).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { ClientCache } from '../../src/core/oauth/client-cache.js';
import type { ClientRecord } from '../../src/core/model/client.js';
import type { Store } from '../../src/store/store.js';
import { sqlite } from '../helpers/backends.js';
import { useStore } from '../helpers/store.js';

const TTL = 60_000;
const getStore = useStore(sqlite, { each: true });
let store: Store;
let clock: FakeClock;

const app = (id: string, ownerId: string): ClientRecord => ({
  id,
  ownerId,
  name: 'app',
  type: 'public',
  redirectUris: ['https://app.example/cb'],
  scopes: ['read'],
  secretHash: null,
  secretStart: null,
  jwtAccessTokens: false,
  refreshGraceSeconds: 0,
  createdAt: 1,
  updatedAt: 1,
});
const audit = { at: 1, actorType: 'system' as const, actorId: null, subjectUserId: null, action: 'client.create', target: null, ip: null };

beforeEach(async (ctx) => {
  store = getStore(ctx);
  clock = new FakeClock();
  await store.accounts.createUser({ id: 'usr_1', email: 'a@example.com', passwordHash: 'x', createdAt: 1, admin: true, gate: { kind: 'open' } }, audit);
});

describe('ClientCache', () => {
  it('reads an app once while it lives, again after its TTL or an invalidation', async () => {
    await store.oauth.clients.create(app('app_1', 'usr_1'), audit);
    const reads = vi.spyOn(store.oauth.clients, 'get');
    const cache = new ClientCache(store.oauth, clock, TTL, 100);
    expect((await cache.get('app_1'))?.name).toBe('app');
    expect((await cache.get('app_1'))?.name).toBe('app');
    expect(reads).toHaveBeenCalledTimes(1);
    await store.oauth.clients.update({ ...app('app_1', 'usr_1'), name: 'renamed' }, audit);
    expect((await cache.get('app_1'))?.name).toBe('app');
    cache.invalidate('app_1');
    expect((await cache.get('app_1'))?.name).toBe('renamed');
    clock.advance(TTL);
    await cache.get('app_1');
    expect(reads).toHaveBeenCalledTimes(3);
  });

  it('does not remember an unknown id', async () => {
    const cache = new ClientCache(store.oauth, clock, TTL, 100);
    expect(await cache.get('app_2')).toBeUndefined();
    await store.oauth.clients.create(app('app_2', 'usr_1'), audit);
    expect((await cache.get('app_2'))?.id).toBe('app_2');
  });
});
