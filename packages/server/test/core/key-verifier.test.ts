import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { issueSecret, publicId } from '../../src/core/credentials.js';
import { GatehouseError } from '../../src/core/errors.js';
import { INVALID_KEY_DETAIL, KeyVerifier, type KeyVerifierOptions } from '../../src/core/key-verifier.js';
import { BatchedUsageSink } from '../../src/adapters/memory/usage-sink.js';
import { PollingRevocationBus } from '../../src/adapters/poll/revocation-bus.js';
import { silentLogger } from '../../src/log.js';
import { openStore } from '../../src/store/kysely-store.js';
import type { AuditInput } from '../../src/core/model/audit.js';
import type { Store } from '../../src/store/store.js';
import { sqlite } from '../helpers/backends.js';
import { useStore } from '../helpers/store.js';

const MINUTE = 60_000;
/** Every write operation of the store, by its path (`apiKeys.roll`). */
const WRITES = new Set([
  'accounts.createUser', 'accounts.createInvite', 'accounts.createSession', 'accounts.deleteSession',
  'apiKeys.create', 'apiKeys.createMany', 'apiKeys.revoke', 'apiKeys.roll', 'apiKeys.recordUsage',
  'signingKeys.add', 'audit.append',
]);

/**
 * The store, with every operation counted by its path (`apiKeys.findBySecretHash`), sub-stores
 * included; `afterFind` can hold back a finished lookup.
 */
function counting(inner: Store, hooks: { afterFind?: () => Promise<void> } = {}) {
  const calls = new Map<string, number>();
  const wrap = <T extends object>(target: T, prefix: string): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof prop !== 'string') return value;
        const path = `${prefix}${prop}`;
        if (value !== null && typeof value === 'object') return wrap(value, `${path}.`);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          calls.set(path, (calls.get(path) ?? 0) + 1);
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(t, args);
          if (path === 'apiKeys.findBySecretHash' && hooks.afterFind) await hooks.afterFind();
          return result;
        };
      },
    });
  const proxy = wrap(inner, '');
  const count = (name: string) => calls.get(name) ?? 0;
  const reads = () => [...calls].filter(([n]) => !WRITES.has(n)).reduce((s, [, c]) => s + c, 0);
  const writes = () => [...calls].filter(([n]) => WRITES.has(n)).reduce((s, [, c]) => s + c, 0);
  return { proxy, count, reads, writes };
}

const getStore = useStore(sqlite, { each: true });
let store: Store;
let clock: FakeClock;
let ownerId: string;

const audit = (action: string): AuditInput => ({ at: clock.now(), actorType: 'system', actorId: null, subjectUserId: ownerId, action, target: null, ip: null });
const options = (o: Partial<KeyVerifierOptions> = {}): KeyVerifierOptions => ({ prefix: 'sk_', cacheTtlMs: 10 * MINUTE, cacheMaxEntries: 100, ...o });
/** The runtime's usage sink, writing last-used times of keys to `target`. */
const usageSink = (target: Store) => new BatchedUsageSink({ api_key: (batch) => target.apiKeys.recordUsage(batch), grant: async () => {} }, MINUTE, silentLogger);
const verifierOn = (target: Store, o: Partial<KeyVerifierOptions> = {}) => new KeyVerifier(target, clock, usageSink(target), options(o));

/** A key written straight to the store; returns its id and secret. */
async function addKey(): Promise<{ id: string; secret: string }> {
  const issued = issueSecret('sk_');
  const id = publicId('key_');
  const now = clock.now();
  await store.apiKeys.create(
    { id, ownerId, name: 'k', scopes: ['read'], start: issued.start, createdAt: now, expiresAt: null, revokedAt: null, lastUsedAt: null },
    { hash: issued.hash, keyId: id, start: issued.start, createdAt: now, expiresAt: null },
    audit('api_key.create'),
  );
  return { id, secret: issued.secret };
}

async function rejected(promise: Promise<unknown>): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatehouseError);
  expect(err).toMatchObject({ code: 'unauthenticated', status: 401, detail: INVALID_KEY_DETAIL });
}

beforeEach(async (ctx) => {
  store = getStore(ctx);
  clock = new FakeClock();
  ownerId = publicId('usr_');
  await store.accounts.createUser({ id: ownerId, email: 'owner@example.com', passwordHash: 'unused', createdAt: clock.now(), admin: 'if-first', gate: { kind: 'open' } }, audit('user.create'));
});

describe('KeyVerifier', () => {
  it('rejects malformed secrets and bad checksums without touching the store', async () => {
    const { secret } = await addKey();
    const c = counting(store);
    const verifier = verifierOn(c.proxy);
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    for (const bad of [`${secret.slice(0, -1)}${last}`, `at_${secret.slice(3)}`, secret.slice(0, -1), '', 'sk_', `${secret} `]) {
      await rejected(verifier.verify(bad));
    }
    expect(c.reads() + c.writes()).toBe(0);
    expect((await verifier.verify(secret)).id).toMatch(/^key_/);
    expect(c.count('apiKeys.findBySecretHash')).toBe(1);
  });

  it('answers a cache hit without any store read, and reads again once the entry is older than the TTL', async () => {
    const { id, secret } = await addKey();
    const c = counting(store);
    const verifier = verifierOn(c.proxy, { cacheTtlMs: MINUTE });
    expect((await verifier.verify(secret)).id).toBe(id);
    clock.advance(MINUTE - 1);
    expect((await verifier.verify(secret)).id).toBe(id);
    expect((await verifier.verify(secret)).id).toBe(id);
    expect(c.reads()).toBe(1);
    clock.advance(1);
    expect((await verifier.verify(secret)).id).toBe(id);
    expect(c.reads()).toBe(2);
  });

  it('caches negative results for well-formed unknown secrets', async () => {
    const c = counting(store);
    const verifier = verifierOn(c.proxy, { cacheTtlMs: MINUTE });
    const unknown = issueSecret('sk_').secret;
    await rejected(verifier.verify(unknown));
    await rejected(verifier.verify(unknown));
    expect(c.count('apiKeys.findBySecretHash')).toBe(1);
    clock.advance(MINUTE);
    await rejected(verifier.verify(unknown));
    expect(c.count('apiKeys.findBySecretHash')).toBe(2);
  });

  it('bounds the cache size by evicting the oldest entry', async () => {
    const keys = [await addKey(), await addKey(), await addKey()];
    const c = counting(store);
    const verifier = verifierOn(c.proxy, { cacheMaxEntries: 2 });
    for (const k of keys) await verifier.verify(k.secret);
    expect(c.reads()).toBe(3);
    await verifier.verify(keys[1]!.secret);
    await verifier.verify(keys[2]!.secret);
    expect(c.reads()).toBe(3); // the two newest are still cached
    await verifier.verify(keys[0]!.secret);
    expect(c.reads()).toBe(4); // the oldest was evicted
    await verifier.verify(keys[2]!.secret);
    expect(c.reads()).toBe(4);
    await verifier.verify(keys[1]!.secret);
    expect(c.reads()).toBe(5); // re-adding keys[0] evicted keys[1]
  });

  it('invalidate(keyId) drops cached entries at once', async () => {
    const { id, secret } = await addKey();
    const other = await addKey();
    const c = counting(store);
    const verifier = verifierOn(c.proxy);
    await verifier.verify(secret);
    await verifier.verify(other.secret);
    await store.apiKeys.revoke(id, clock.now(), audit('api_key.revoke'));
    expect((await verifier.verify(secret)).id).toBe(id); // still the cached, pre-revocation answer
    verifier.invalidate(id);
    await rejected(verifier.verify(secret));
    expect((await verifier.verify(other.secret)).id).toBe(other.id);
    expect(c.count('apiKeys.findBySecretHash')).toBe(3); // the other key stayed cached
  });

  it('through the polling RevocationBus, drops revocations and rolls written by another store instance on the same file', async () => {
    const revoked = await addKey();
    const rolled = await addKey();
    const untouched = await addKey();
    const verifier = verifierOn(store, { cacheTtlMs: 24 * 60 * MINUTE });
    const bus = new PollingRevocationBus(store, 60 * MINUTE, silentLogger);
    bus.subscribe((id) => verifier.invalidate(id));
    await bus.start();
    for (const k of [revoked, rolled, untouched]) await verifier.verify(k.secret);
    const elsewhere = openStore(getStore.target());
    try {
      await elsewhere.apiKeys.revoke(revoked.id, clock.now(), audit('api_key.revoke'));
      const next = issueSecret('sk_');
      await elsewhere.apiKeys.roll(rolled.id, { hash: next.hash, keyId: rolled.id, start: next.start, createdAt: clock.now(), expiresAt: null }, clock.now(), audit('api_key.roll'));
      // Until the poll, this instance still answers from its cache (the documented bound).
      expect((await verifier.verify(revoked.secret)).id).toBe(revoked.id);
      await bus.sync();
      await rejected(verifier.verify(revoked.secret));
      await rejected(verifier.verify(rolled.secret));
      expect((await verifier.verify(next.secret)).id).toBe(rolled.id);
      expect((await verifier.verify(untouched.secret)).id).toBe(untouched.id);
    } finally {
      await bus.stop();
      await elsewhere.close();
    }
  });

  it('does not cache a lookup that raced with an invalidation', async () => {
    const { id, secret } = await addKey();
    let release: () => void = () => {};
    let arrived: () => void = () => {};
    const readDone = new Promise<void>((r) => {
      arrived = r;
    });
    let hold = true;
    const c = counting(store, {
      afterFind: async () => {
        if (!hold) return;
        hold = false;
        arrived();
        await new Promise<void>((r) => {
          release = r;
        });
      },
    });
    const verifier = verifierOn(c.proxy);
    const inFlight = verifier.verify(secret);
    await readDone; // the read returned the active key but has not reached the verifier yet
    await store.apiKeys.revoke(id, clock.now(), audit('api_key.revoke'));
    verifier.invalidate(id);
    release();
    expect((await inFlight).id).toBe(id); // that request was already under way
    await rejected(verifier.verify(secret)); // the stale answer was not cached
    expect(c.count('apiKeys.findBySecretHash')).toBe(2);
  });

  it('verify does no write; the usage sink writes the latest use per key in one batch', async () => {
    const a = await addKey();
    const b = await addKey();
    const c = counting(store);
    const usage = usageSink(c.proxy);
    const verifier = new KeyVerifier(c.proxy, clock, usage, options());
    const t1 = clock.now();
    await verifier.verify(a.secret);
    clock.advance(5000);
    const t2 = clock.now();
    await verifier.verify(a.secret);
    await verifier.verify(b.secret);
    await rejected(verifier.verify(issueSecret('sk_').secret));
    expect(c.writes()).toBe(0);
    expect((await store.apiKeys.get(a.id))?.lastUsedAt).toBeNull();
    await usage.flush();
    expect(c.count('apiKeys.recordUsage')).toBe(1);
    expect((await store.apiKeys.get(a.id))?.lastUsedAt).toBe(t2);
    expect((await store.apiKeys.get(b.id))?.lastUsedAt).toBe(t2);
    expect(t2).toBeGreaterThan(t1);
    await usage.flush(); // nothing new: no write
    expect(c.count('apiKeys.recordUsage')).toBe(1);
  });
});
