/**
 * Runtimes built as separate server instances on one database would be (each with its own store
 * connection), started, and closed together: for tests of what instances share.
 */
import { loadConfig } from '../../src/config.js';
import { createUser } from '../../src/core/accounts.js';
import { type Clock, FakeClock } from '../../src/core/clock.js';
import type { Actor } from '../../src/core/context.js';
import { createKey } from '../../src/core/keys.js';
import { silentLogger } from '../../src/log.js';
import { type ServerRuntime, buildRuntime } from '../../src/runtime.js';
import { openStore } from '../../src/store/kysely-store.js';
import type { BackendTarget } from './backends.js';
import { TEST_SERVER_SECRET } from './runtime.js';

const system: Actor = { type: 'system', id: null, user: null, ip: null };

export class Instances {
  private readonly runtimes: ServerRuntime[] = [];
  private owners = 0;

  /** One more instance on `target`'s database, configured by `env` on top of the backend's. */
  async start(target: BackendTarget, env: Record<string, string> = {}, clock: Clock = new FakeClock()): Promise<ServerRuntime> {
    const config = loadConfig({ ...target.env, GATEHOUSE_SECRET: TEST_SERVER_SECRET, GATEHOUSE_LOG_LEVEL: 'silent', ...env });
    const rt = await buildRuntime(config, { clock, logger: silentLogger, store: openStore(target.target) });
    this.runtimes.push(rt);
    await rt.start();
    return rt;
  }

  /** A new account and an API key of it, created through `rt`. */
  async keyOf(rt: ServerRuntime) {
    const owner = await createUser(rt, system, { email: `owner-${++this.owners}@example.com`, password: 'correct horse battery staple', admin: false });
    return { owner, ...(await createKey(rt, { ...system, user: owner }, { ownerId: owner.id, name: 'k', scopes: ['read'], expiresAt: null })) };
  }

  async closeAll(): Promise<void> {
    for (const rt of this.runtimes.splice(0)) await rt.close();
  }
}
