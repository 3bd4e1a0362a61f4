/**
 * Each port's implementation, exercised through core rather than on its own:
 * - the `RevocationBus`: a key revoked through one runtime stops verifying in a second runtime
 *   on the same database (another instance) once its bus has polled, and at once in the first;
 * - the `UsageSink`: a verification records usage without writing, and the flush at close
 *   writes the last-used time;
 * - the `Limiter`: the /v0/auth exchange is throttled per key_id through it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { Actor } from '../../src/core/context.js';
import { exchangeKeyPair } from '../../src/core/key-exchange.js';
import { revokeKey } from '../../src/core/keys.js';
import type { ServerRuntime } from '../../src/runtime.js';
import { BACKENDS, type BackendTarget } from '../helpers/backends.js';
import { Instances } from '../helpers/instances.js';

const system: Actor = { type: 'system', id: null, user: null, ip: null };

describe.each(BACKENDS)('ports through core on $name', (backend) => {
  let target: BackendTarget | undefined;
  const instances = new Instances();

  afterEach(async () => {
    await instances.closeAll();
    await target?.cleanup();
  });

  /** A runtime like one server instance's: its own store connection, started, polling every 50 ms. */
  const instance = (clock = new FakeClock()) => instances.start(target!, { GATEHOUSE_REVOCATION_POLL_MS: '50' }, clock);
  const keyOf = (rt: ServerRuntime) => instances.keyOf(rt);

  it('a revocation through one runtime reaches a second runtime on the same database through the RevocationBus', async (ctx) => {
    target = await backend.setup();
    if (!target) return ctx.skip();
    const a = await instance();
    const b = await instance();
    const { owner, key, secret } = await keyOf(a);
    expect((await b.apiKeys.verify(secret)).id).toBe(key.id); // now cached by b
    const heardByB: string[] = [];
    b.revocations.subscribe((id) => heardByB.push(id));

    await revokeKey(a, { ...system, user: owner }, key.id);
    await expect(a.apiKeys.verify(secret)).rejects.toMatchObject({ code: 'unauthenticated' }); // at once where it was revoked
    const deadline = Date.now() + 5_000;
    while (!heardByB.includes(key.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(heardByB).toContain(key.id);
    await expect(b.apiKeys.verify(secret)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('the UsageSink keeps verification free of writes and writes last-used times when flushed', async (ctx) => {
    target = await backend.setup();
    if (!target) return ctx.skip();
    const clock = new FakeClock();
    const rt = await instance(clock);
    const { key, secret } = await keyOf(rt);
    clock.advance(1_000);
    await rt.apiKeys.verify(secret);
    expect((await rt.store.apiKeys.get(key.id))?.lastUsedAt).toBeNull();
    await rt.usage.flush();
    expect((await rt.store.apiKeys.get(key.id))?.lastUsedAt).toBe(clock.now());
  });

  it('the Limiter throttles /v0/auth failures per key_id', async (ctx) => {
    target = await backend.setup();
    if (!target) return ctx.skip();
    const rt = await instance();
    const { key, secret } = await keyOf(rt);
    const attempt = (keySecret: string, ip: string) => exchangeKeyPair(rt, { keyId: key.id, keySecret, scopes: ['read'], ip });
    for (let i = 0; i < 10; i++) await expect(attempt(`${secret}x`, `198.51.100.${i}`)).rejects.toMatchObject({ code: 'unauthenticated' });
    // The eleventh try is refused before the secret is even checked, whatever the IP: the right secret too.
    await expect(attempt(secret, '198.51.100.99')).rejects.toMatchObject({ code: 'throttled', status: 429 });
    expect((await rt.limiter.peek([[`v0auth:key:${key.id}`, { limit: 10, windowMs: 300_000 }]]))[0]?.allowed).toBe(false);
  });
});
