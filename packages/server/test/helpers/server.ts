/**
 * A real Gatehouse server on a loopback port, on a real backend, for HTTP tests.
 * Logs are captured (not printed) so tests can also assert what was logged.
 *
 *   const getServer = useServer(backend, { clock });
 *   it('…', async (ctx) => { const server = getServer(ctx); … });
 */
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createUser } from '../../src/core/accounts.js';
import type { Clock } from '../../src/core/clock.js';
import type { Actor } from '../../src/core/context.js';
import { createKey } from '../../src/core/keys.js';
import { createLogger } from '../../src/log.js';
import { type RunningServer, startServer } from '../../src/server.js';
import type { ApiKeyRecord } from '../../src/core/model/api-key.js';
import type { UserRecord } from '../../src/core/model/user.js';
import type { Backend, BackendTarget } from './backends.js';

export interface TestServer extends RunningServer {
  backend: BackendTarget;
  logs: string[];
  /** Stops the server and removes its database. */
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  /** Configuration on top of the test defaults (loopback, a free port, debug logs captured). */
  env?: Record<string, string>;
  clock?: Clock;
}

export async function startTestServer(backend: Backend, options: TestServerOptions = {}): Promise<TestServer | undefined> {
  const target = await backend.setup();
  if (!target) return undefined;
  // A known free port, so the issuer is the URL clients really use (OAuth clients check it).
  const port = options.env?.PORT ?? String(await freePort());
  const config = loadConfig({
    PORT: port,
    HOST: '127.0.0.1',
    GATEHOUSE_ISSUER: `http://127.0.0.1:${port}`,
    GATEHOUSE_LOG_LEVEL: 'debug',
    ...target.env,
    ...options.env,
  });
  const logs: string[] = [];
  const server = await startServer(config, {
    logger: createLogger('debug', (line) => logs.push(line)),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    ...server,
    backend: target,
    logs,
    async dispose() {
      await server.close();
      await target.cleanup();
    },
  };
}

/**
 * The running server. Given the test's context it skips the test when the backend is
 * unavailable; without one (from a helper of a test that already asked) it throws.
 */
export type UsedServer = (ctx?: TestContext) => TestServer;

/**
 * Starts a server for the enclosing describe (beforeAll) and disposes of it and its database
 * afterwards (afterAll). `setup` runs right after the start, in the same hook, and only when the
 * backend is available. PostgreSQL unreachable: postgres.ts warns loudly and the tests skip, or
 * under CI=true the hook fails.
 */
export function useServer(backend: Backend, options: TestServerOptions = {}, setup?: (server: TestServer) => Promise<void>): UsedServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(backend, options);
    if (server) await setup?.(server);
  });
  afterAll(async () => {
    await server?.dispose();
    server = undefined;
  });
  return (ctx) => {
    if (server) return server;
    if (ctx) return ctx.skip(`${backend.name} unavailable`);
    throw new Error(`no server: ${backend.name} unavailable`);
  };
}

/** A TCP port nothing listens on right now (for servers started as separate processes). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export const systemActor: Actor = { type: 'system', id: null, user: null, ip: null };

/** Creates an account directly through core (fast; no browser). */
export async function seedUser(server: RunningServer, email = `user-${Math.random().toString(36).slice(2)}@example.com`, password = 'correct horse battery staple'): Promise<UserRecord> {
  return createUser(server.runtime, systemActor, { email, password, admin: 'if-first' });
}

export async function seedKey(server: RunningServer, owner: UserRecord, scopes: string[] = ['read'], expiresAt: number | null = null): Promise<{ key: ApiKeyRecord; secret: string }> {
  return createKey(server.runtime, { ...systemActor, user: owner }, { ownerId: owner.id, name: 'test key', scopes, expiresAt });
}
