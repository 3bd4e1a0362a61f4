/**
 * The two real storage backends, for suites that must pass on both:
 *
 *   describe.each(BACKENDS)('store on %s', (backend) => { ... backend.setup() ... })
 *
 * `setup()` returns a fresh, empty target (a new SQLite file or a new PostgreSQL database)
 * and its cleanup; it returns undefined when PostgreSQL is unreachable outside CI (skip).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreTarget } from '../../src/store/connect.js';
import { createTempDatabase, postgresReachable } from './postgres.js';

export interface BackendTarget {
  target: StoreTarget;
  /** Environment variables that point a server or the CLI at this target. */
  env: Record<string, string>;
  dataDir: string;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  setup(): Promise<BackendTarget | undefined>;
}

export const sqlite: Backend = {
  name: 'sqlite',
  async setup() {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
    return {
      target: { sqlitePath: join(dataDir, 'gatehouse.db') },
      env: { GATEHOUSE_DATA_DIR: dataDir },
      dataDir,
      async cleanup() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

export const postgres: Backend = {
  name: 'postgres',
  async setup() {
    if (!(await postgresReachable())) return undefined;
    const db = await createTempDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
    return {
      target: { postgresUrl: db.url },
      env: { DATABASE_URL: db.url, GATEHOUSE_DATA_DIR: dataDir },
      dataDir,
      async cleanup() {
        await db.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

export const BACKENDS: Backend[] = [sqlite, postgres];
