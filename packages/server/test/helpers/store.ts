/**
 * The one way tests get a store: a fresh database on a real backend and a store on it,
 * registered for the enclosing describe (or for each test), closed and removed afterwards.
 *
 *   const getStore = useStore(backend);
 *   it('…', async (ctx) => { const store = getStore(ctx); … });
 *
 * When the backend is unavailable the accessor skips the calling test: PostgreSQL unreachable,
 * postgres.ts warns loudly (and under CI=true the hook fails instead).
 */
import { afterAll, afterEach, beforeAll, beforeEach, type TestContext } from 'vitest';
import { openStore } from '../../src/store/kysely-store.js';
import type { Store } from '../../src/store/store.js';
import type { Backend, BackendTarget } from './backends.js';

export interface UseStoreOptions {
  /** Apply the schema first (default). `false` leaves that to the code under test, such as the CLI. */
  migrate?: boolean;
  /** A new database for every test (beforeEach) instead of one for the describe (beforeAll). */
  each?: boolean;
}

export interface UsedStore {
  /** The store; skips the calling test when the backend is unavailable. */
  (ctx: TestContext): Store;
  /** The database, for a second connection to it. */
  target(): BackendTarget['target'];
  /** Everything about the database (environment, data directory): to run the CLI or a server on it. */
  backend(ctx: TestContext): BackendTarget;
}

/**
 * Registers the hooks and returns the accessor. `setup` runs once the store is open (and
 * migrated unless told otherwise), in the same hook, and only when the backend is available.
 */
export function useStore(backend: Backend, options: UseStoreOptions = {}, setup?: (store: Store, target: BackendTarget) => Promise<void>): UsedStore {
  let target: BackendTarget | undefined;
  let store: Store | undefined;
  const open = async () => {
    target = await backend.setup();
    if (!target) return;
    store = openStore(target.target);
    if (options.migrate ?? true) await store.migrate();
    await setup?.(store, target);
  };
  const close = async () => {
    await store?.close();
    await target?.cleanup();
    store = undefined;
    target = undefined;
  };
  if (options.each) {
    beforeEach(open);
    afterEach(close);
  } else {
    beforeAll(open);
    afterAll(close);
  }
  const unavailable = (ctx: TestContext): never => ctx.skip(`${backend.name} unavailable`);
  const get = (ctx: TestContext) => store ?? unavailable(ctx);
  return Object.assign(get, {
    target: () => target!.target,
    backend: (ctx: TestContext) => target ?? unavailable(ctx),
  });
}
