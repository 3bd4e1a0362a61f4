/**
 * `gatehouse backup --out FILE`: an online, consistent copy of the SQLite database, taken with
 * SQLite's backup API (through better-sqlite3) while servers may be reading and writing it.
 * PostgreSQL has its own tools (pg_dump), so there the command refuses and says so.
 *
 * The copy is written next to FILE under a temporary name (mode 0600: it holds password and key
 * digests and the sealed signing keys), made a single self-contained file (rollback journal
 * instead of WAL), checked (`quick_check`) and only then put in place, so an interrupted backup
 * never leaves a half-written FILE behind.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Config } from '../config.js';
import { parse, str } from './commands.js';
import { type CliIO, UsageError } from './io.js';

export class BackupError extends Error {
  override name = 'BackupError';
}

const USAGE = 'usage: gatehouse backup --out FILE [--force] [--json]';

export async function backupCommand(config: Config, io: CliIO, args: string[]): Promise<void> {
  const p = parse(args, { out: { type: 'string' }, force: { type: 'boolean' } });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"; ${USAGE}`);
  const outFlag = str(p, 'out');
  if (!outFlag) throw new UsageError(`missing --out FILE; ${USAGE}`);
  if (!('sqlitePath' in config.database)) {
    throw new UsageError('gatehouse backup copies SQLite databases only; back up PostgreSQL with pg_dump (see docs/deploy.md, "Backup and restore")');
  }
  const source = config.database.sqlitePath;
  const out = resolve(outFlag);
  const force = p.values.force === true;
  const bytes = await backupSqlite(source, out, force);
  if (p.values.json) {
    io.out(JSON.stringify({ backup: out, database: 'sqlite', bytes }));
  } else {
    io.out(`backup written to ${out} (${bytes} bytes)`);
  }
  // Without GATEHOUSE_SECRET the signing keys in the copy are sealed with the data directory's
  // `secret` file, which is not inside the database. Say where it is, never what it is.
  const secretFile = join(config.dataDir, 'secret');
  if (config.secret === null && existsSync(secretFile)) {
    io.err(`note: keep a copy of ${secretFile} with the backup: the signing keys in it are sealed with that file`);
  }
}

/** Copies the database at `source` to `out`; returns the size of the copy in bytes. */
export async function backupSqlite(source: string, out: string, force: boolean): Promise<number> {
  if (resolve(source) === out) throw new BackupError('--out is the live database itself; choose another file');
  if (!existsSync(source)) throw new BackupError(`no SQLite database at ${source} (check GATEHOUSE_DATA_DIR)`);
  const dir = dirname(out);
  if (!isDirectory(dir)) throw new BackupError(`cannot write ${out}: the directory ${dir} does not exist`);
  if (existsSync(out) && !force) throw new BackupError(`${out} already exists; pass --force to overwrite it`);

  const partial = join(dir, `.${basename(out)}.${randomBytes(6).toString('hex')}.partial`);
  const removePartial = () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${partial}${suffix}`, { force: true });
  };
  let db: SQLite.Database | undefined;
  try {
    writeFileSync(partial, '', { mode: 0o600, flag: 'wx' });
    db = new SQLite(source, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    // The backup API copies page by page; a write by another connection in between makes
    // SQLite restart the copy, so what lands is one consistent state of the database.
    await db.backup(partial);
  } catch (err) {
    removePartial();
    throw new BackupError(`backup failed: ${describe(err)}`);
  } finally {
    db?.close();
  }
  try {
    check(partial);
    if (force) {
      renameSync(partial, out);
    } else {
      // A hard link fails if `out` appeared in the meantime: never overwrite without --force.
      linkSync(partial, out);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError(`${out} already exists; pass --force to overwrite it`);
    if (err instanceof BackupError) throw err;
    throw new BackupError(`cannot write ${out}: ${describe(err)}`);
  } finally {
    removePartial();
  }
  return statSync(out).size;
}

/**
 * The copy must open and pass SQLite's own consistency check before it takes the name. It leaves
 * WAL mode so that it is one file (the server turns WAL on again when it opens a restored copy).
 */
function check(path: string): void {
  const copy = new SQLite(path, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const result = copy.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new BackupError(`the copy failed SQLite's quick_check (${String(result)})`);
  } finally {
    copy.close();
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const describe = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException;
  return e.code && !e.message.includes(e.code) ? `${e.message} (${e.code})` : (e.message ?? String(err));
};
