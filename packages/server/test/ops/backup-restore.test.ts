/**
 * A backup restores into a working deployment: keys that existed when it was taken verify, a key
 * revoked before it stays revoked, a key created after it does not exist, and the restored
 * server signs with the signing keys it had (so the server secret came back with it).
 *
 * SQLite: `gatehouse backup` while the server runs and writes, restored the way docs/deploy.md
 * says (the copy becomes `gatehouse.db` of a fresh data directory, next to the `secret` file).
 * PostgreSQL: `pg_dump` of a scratch database, `pg_restore` into another, same GATEHOUSE_SECRET.
 * pg_dump/pg_restore missing from PATH: skipped loudly locally, a failure under CI=true.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { createKey, revokeKey } from '../../src/core/keys.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { silentLogger } from '../../src/log.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { postgres, sqlite } from '../helpers/backends.js';
import { createTempDatabase, type TempDatabase } from '../helpers/postgres.js';
import { TEST_SERVER_SECRET } from '../helpers/runtime.js';
import { type TestServer, seedKey, seedUser, startTestServer, systemActor } from '../helpers/server.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(env: Record<string, string>, argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { env, out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => '' };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** What the backup must capture, created on the original server. */
interface Seeded {
  owner: UserRecord;
  kept: { id: string; secret: string };
  revoked: { id: string; secret: string };
}

async function seed(server: RunningServer): Promise<Seeded> {
  const owner = await seedUser(server);
  const kept = await seedKey(server, owner, ['read']);
  const revoked = await seedKey(server, owner, ['read']);
  await revokeKey(server.runtime, { ...systemActor, user: owner }, revoked.key.id);
  return { owner, kept: { id: kept.key.id, secret: kept.secret }, revoked: { id: revoked.key.id, secret: revoked.secret } };
}

const agents = (url: string, secret: string) => fetch(`${url}/v1/agents`, { headers: { authorization: `Bearer ${secret}` } });

async function kids(url: string): Promise<string[]> {
  const res = await fetch(`${url}/.well-known/jwks.json`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
}

/** The restored deployment answers exactly as the original did when the backup was taken. */
async function expectRestored(restored: RunningServer, seeded: Seeded, later: { secret: string }, originalKids: string[]): Promise<void> {
  const ok = await agents(restored.url, seeded.kept.secret);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ data: [] });
  expect((await agents(restored.url, seeded.revoked.secret)).status).toBe(401);
  expect((await agents(restored.url, later.secret)).status).toBe(401);
  // The signing keys came back and can be unsealed: the restored server signs with one of them.
  const exchange = await fetch(`${restored.url}/v0/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key_id: seeded.kept.id, key_secret: seeded.kept.secret, scopes: ['read'] }),
  });
  expect(exchange.status).toBe(200);
  const { access_token } = (await exchange.json()) as { access_token: string };
  const header = JSON.parse(Buffer.from(access_token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string };
  expect(originalKids).toContain(header.kid);
  expect(await kids(restored.url)).toEqual(originalKids);
}

function startRestored(env: Record<string, string>): Promise<RunningServer> {
  return startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_LOG_LEVEL: 'silent', ...env }), { logger: silentLogger });
}

describe('gatehouse backup (SQLite): a backup taken while the server runs restores and verifies its keys', () => {
  let server: TestServer | undefined;
  let restored: RunningServer | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-backup-'));

  beforeAll(async () => {
    server = await startTestServer(sqlite);
  });
  afterAll(async () => {
    await restored?.close();
    await server?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('copies the live database, restores it into a fresh data directory, and the keys verify', async () => {
    const live = server!;
    const seeded = await seed(live);
    const originalKids = await kids(live.url);
    const file = join(scratch, 'gatehouse-backup.db');

    // The server keeps writing while the backup runs.
    const actor = { ...systemActor, user: seeded.owner };
    const [run] = await Promise.all([
      cli(live.backend.env, ['backup', '--out', file, '--json']),
      ...Array.from({ length: 10 }, (_, i) => createKey(live.runtime, actor, { ownerId: seeded.owner.id, name: `busy ${i}`, scopes: ['read'], expiresAt: null })),
    ]);
    expect(run.code, run.err).toBe(0);
    const report = JSON.parse(run.out) as { backup: string; database: string; bytes: number };
    expect(report).toEqual({ backup: file, database: 'sqlite', bytes: readFileSync(file).length });
    // Where the secret that seals the signing keys lives is said; the secret itself never is.
    const secretFile = join(live.backend.dataDir, 'secret');
    expect(run.err).toContain(secretFile);
    expect(run.err + run.out).not.toContain(readFileSync(secretFile, 'utf8').trim());
    // Only the finished copy is left behind: no temporary file, no -wal/-shm beside it.
    expect(readdirSync(scratch)).toEqual(['gatehouse-backup.db']);

    // Written after the backup: must not exist in the restored deployment.
    const later = await seedKey(live, seeded.owner);
    expect((await agents(live.url, later.secret)).status).toBe(200);
    expect((await agents(live.url, seeded.kept.secret)).status).toBe(200);

    // Restore as docs/deploy.md says: the copy becomes gatehouse.db of a fresh data directory,
    // with the `secret` file beside it.
    const dataDir = join(scratch, 'restored');
    mkdirSync(dataDir);
    copyFileSync(file, join(dataDir, 'gatehouse.db'));
    copyFileSync(secretFile, join(dataDir, 'secret'));
    restored = await startRestored({ GATEHOUSE_DATA_DIR: dataDir });
    await expectRestored(restored, seeded, later, originalKids);
  });
});

describe('gatehouse backup refuses what it cannot do safely', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-backup-refusals-'));
  const env = { GATEHOUSE_DATA_DIR: join(scratch, 'data') };
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('without a database there is nothing to copy: exit 1, and no database is created', async () => {
    const run = await cli(env, ['backup', '--out', join(scratch, 'none.db')]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^error: no SQLite database at .*gatehouse\.db/);
    expect(existsSync(join(scratch, 'data', 'gatehouse.db'))).toBe(false);
    expect(existsSync(join(scratch, 'none.db'))).toBe(false);
  });

  it('never overwrites a file unless --force; a missing directory or --out is a clear error', async () => {
    expect((await cli(env, ['migrate'])).code).toBe(0);
    const file = join(scratch, 'existing.db');
    writeFileSync(file, 'keep me');
    const refused = await cli(env, ['backup', '--out', file]);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(`error: ${file} already exists; pass --force to overwrite it`);
    expect(readFileSync(file, 'utf8')).toBe('keep me');

    const forced = await cli(env, ['backup', '--out', file, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(forced.out).toMatch(/^backup written to .*existing\.db \(\d+ bytes\)$/);
    expect(readFileSync(file).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');

    const noDir = await cli(env, ['backup', '--out', join(scratch, 'missing', 'b.db')]);
    expect(noDir.code).toBe(1);
    expect(noDir.err).toMatch(/the directory .*missing does not exist/);

    const itself = await cli(env, ['backup', '--out', join(scratch, 'data', 'gatehouse.db'), '--force']);
    expect(itself.code).toBe(1);
    expect(itself.err).toBe('error: --out is the live database itself; choose another file');

    for (const argv of [['backup'], ['backup', '--out'], ['backup', '--bogus', '--out', file], ['backup', 'extra', '--out', file]]) {
      const run = await cli(env, argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.err).toMatch(/^error: /);
    }
  });

  it('on PostgreSQL it exits 2 and points to pg_dump, without connecting', async () => {
    const run = await cli({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, ['backup', '--out', join(scratch, 'pg.db')]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('pg_dump');
    expect(run.err).toContain('docs/deploy.md');
    expect(existsSync(join(scratch, 'pg.db'))).toBe(false);
  });
});

/** A PostgreSQL client tool from PATH, or undefined (loud skip) when missing outside CI. */
function pgTool(name: string): string | undefined {
  const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return name;
  if (process.env.CI === 'true') throw new Error(`${name} is required under CI but was not found on PATH`);
  console.warn(`\n!!! ${name} not found on PATH: the PostgreSQL backup round trip is SKIPPED (it fails under CI=true) !!!\n`);
  return undefined;
}

describe('pg_dump / pg_restore (PostgreSQL): a dump restores into a new database and verifies its keys', () => {
  let server: TestServer | undefined;
  let restoredDb: TempDatabase | undefined;
  let restored: RunningServer | undefined;
  let tools: { dump: string; restore: string } | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-pgdump-'));
  // Instances of one deployment (and its restores) share GATEHOUSE_SECRET.
  const secretEnv = { GATEHOUSE_SECRET: TEST_SERVER_SECRET };

  beforeAll(async () => {
    const dump = pgTool('pg_dump');
    const restore = pgTool('pg_restore');
    if (!dump || !restore) return;
    tools = { dump, restore };
    server = await startTestServer(postgres, { env: secretEnv });
  });
  afterAll(async () => {
    await restored?.close();
    await restoredDb?.drop();
    await server?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('dumps with pg_dump, restores with pg_restore, and the keys verify', async (ctx) => {
    if (!server || !tools) return ctx.skip('PostgreSQL or its client tools unavailable');
    const live = server;
    const seeded = await seed(live);
    const originalKids = await kids(live.url);
    const sourceUrl = live.backend.env.DATABASE_URL!;
    const file = join(scratch, 'gatehouse.dump');

    const dump = spawnSync(tools.dump, ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${sourceUrl}`], { encoding: 'utf8' });
    expect(dump.status, dump.stderr).toBe(0);
    const later = await seedKey(live, seeded.owner);

    restoredDb = await createTempDatabase();
    const restore = spawnSync(tools.restore, ['--no-owner', '--exit-on-error', `--dbname=${restoredDb.url}`, file], { encoding: 'utf8' });
    expect(restore.status, restore.stderr).toBe(0);

    restored = await startRestored({ DATABASE_URL: restoredDb.url, GATEHOUSE_DATA_DIR: join(scratch, 'data'), ...secretEnv });
    await expectRestored(restored, seeded, later, originalKids);
  });
});
