/**
 * A runtime for core tests: built by the same `buildRuntime` as the server, on a store the test
 * opened, with a fake clock and a fixed server secret; not started (no key generation, polls or
 * timers) unless the test calls `start()`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/log.js';
import { type ServerRuntime, buildRuntime } from '../../src/runtime.js';
import type { Store } from '../../src/store/store.js';

export const TEST_SERVER_SECRET = 'a-server-secret-that-is-long-enough-0123456789';

export function testRuntime(store: Store, clock: Clock, env: Record<string, string> = {}): Promise<ServerRuntime> {
  const config = loadConfig({
    GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-runtime-')),
    GATEHOUSE_SECRET: TEST_SERVER_SECRET,
    GATEHOUSE_LOG_LEVEL: 'silent',
    ...env,
  });
  return buildRuntime(config, { store, clock, logger: silentLogger });
}
