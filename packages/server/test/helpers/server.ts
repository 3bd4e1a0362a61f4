/**
 * A real Gatehouse server on a loopback port, on a real backend, for HTTP tests.
 * Logs are captured (not printed) so tests can also assert what was logged.
 */
import { type AddressInfo, createServer } from 'node:net';
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

export async function startTestServer(backend: Backend, options: { env?: Record<string, string>; clock?: Clock } = {}): Promise<TestServer | undefined> {
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

function freePort(): Promise<number> {
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
