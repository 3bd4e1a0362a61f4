/**
 * Gatehouse as a target: built once per run (as deployed: compiled JavaScript, not a loader),
 * a fresh database per backend (SQLite file or PostgreSQL database), keys seeded with
 * `gatehouse dev seed`, and the server started pinned to core 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devCommand } from '../../packages/server/src/cli/dev-seed.js';
import type { CliIO } from '../../packages/server/src/cli/io.js';
import { loadConfig } from '../../packages/server/src/config.js';
import { ROOT } from '../harness/paths.js';
import { createTempDatabase } from '../harness/postgres.js';
import { type Pinning, type ServerProcess, freePort, startServer } from '../harness/proc.js';

const SERVER = join(ROOT, 'packages', 'server');

export interface GatehouseCommand {
  /** Arguments after `node` that run `gatehouse serve`. */
  args: string[];
  description: string;
}

/**
 * Builds Gatehouse the way it ships (each workspace package's `tsc -p tsconfig.build.json` into
 * its dist/, libraries first, started with `node packages/server/bin/gatehouse.js serve`).
 * `--noCheck` emits the same files without type checking (that is `npm run typecheck`'s job),
 * so the build takes seconds.
 */
export function buildGatehouse(fromSource: boolean, other: string | null = null): GatehouseCommand {
  if (other !== null) {
    if (!existsSync(other)) throw new Error(`--gatehouse-bin ${other} does not exist`);
    return { args: [other, 'serve'], description: `${other} (--gatehouse-bin), not rebuilt` };
  }
  if (fromSource) return { args: ['--import', 'tsx', join(SERVER, 'src', 'cli', 'run.ts'), 'serve'], description: 'packages/server/src through tsx (--from-source)' };
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const pkg of ['verify', 'client', 'server']) {
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: join(ROOT, 'packages', pkg), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building packages/${pkg} failed:\n${r.stdout}${r.stderr}`);
  }
  if (!existsSync(join(SERVER, 'dist', 'cli', 'run.js'))) throw new Error('building Gatehouse produced no packages/server/dist/cli/run.js');
  return { args: [join(SERVER, 'bin', 'gatehouse.js'), 'serve'], description: 'packages built by tsc -p tsconfig.build.json, run as node packages/server/bin/gatehouse.js serve' };
}

export type Backend = 'sqlite' | 'postgres';

export interface Database {
  backend: Backend;
  /** Environment that points Gatehouse (server and CLI) at this database. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createDatabase(backend: Backend): Promise<Database> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (backend === 'sqlite') return { backend, env: { GATEHOUSE_DATA_DIR: dataDir }, cleanup: async () => removeDir() };
  const db = await createTempDatabase();
  return {
    backend,
    env: { GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: db.url },
    async cleanup() {
      await db.drop();
      removeDir();
    },
  };
}

export interface KeyPair {
  keyId: string;
  secret: string;
}

export interface Seeded {
  keys: KeyPair[];
  ms: number;
}

let seedFiles = 0;

/** `gatehouse dev seed --keys N --owner EMAIL --scopes read --json --secrets-file F`, run in-process. */
export async function seed(db: Database, count: number, owner: string): Promise<Seeded> {
  const file = join(db.env.GATEHOUSE_DATA_DIR!, `seed-${++seedFiles}.tsv`);
  const out: string[] = [];
  const io: CliIO = { env: db.env, out: (t) => out.push(t), err: (t) => out.push(t), readStdin: async () => '' };
  await devCommand(loadConfig(db.env), io, ['seed', '--keys', String(count), '--owner', owner, '--scopes', 'read', '--json', '--secrets-file', file]);
  const report = JSON.parse(out.join('')) as { keys: number; ms: number };
  const keys: KeyPair[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) keys.push({ keyId: line.slice(0, tab), secret: line.slice(tab + 1) });
  }
  rmSync(file, { force: true });
  if (keys.length !== count) throw new Error(`dev seed wrote ${keys.length} secrets, expected ${count}`);
  return { keys, ms: report.ms };
}

export interface GatehouseStart {
  command: GatehouseCommand;
  db: Database;
  pinning: Pinning;
  logLevel: string;
  profileDir?: string | undefined;
  name: string;
}

export async function startGatehouse(s: GatehouseStart): Promise<ServerProcess> {
  const port = await freePort();
  return startServer(
    {
      name: s.name,
      args: s.command.args,
      env: { ...s.db.env, HOST: '127.0.0.1', GATEHOUSE_ISSUER: `http://127.0.0.1:${port}`, GATEHOUSE_LOG_LEVEL: s.logLevel },
      port,
      readyPath: '/healthz',
      cwd: ROOT,
      profileDir: s.profileDir,
    },
    s.pinning,
  );
}

/** A `/v0/auth` JWT for the key (scope read). */
export async function v0Token(url: string, key: KeyPair): Promise<string> {
  const res = await fetch(`${url}/v0/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key_id: key.keyId, key_secret: key.secret, scopes: ['read'] }),
  });
  const json = (await res.json()) as { access_token?: string };
  if (!res.ok || !json.access_token) throw new Error(`POST /v0/auth answered ${res.status}: ${JSON.stringify(json)}`);
  return json.access_token;
}

/** Fails fast when a key does not authenticate (so a run never measures a flood of 401s). */
export async function checkKey(url: string, authorization: string): Promise<void> {
  const res = await fetch(`${url}/v1/agents`, { headers: { authorization } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`GET /v1/agents with the seeded credential answered ${res.status}`);
}
