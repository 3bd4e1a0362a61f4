/**
 * Opens a Kysely database for SQLite (better-sqlite3, WAL) or PostgreSQL (pg) and provides
 * the write discipline each engine needs: `BEGIN IMMEDIATE` on SQLite, so a writer takes the
 * lock up front instead of failing mid-transaction; retries of serialization failures and
 * deadlocks on PostgreSQL.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type Prepared, bind, bindValues } from './prepared.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface Connection {
  kind: 'sqlite' | 'postgres';
  db: Db;
  /**
   * Runs `fn` in one write transaction: queries built on `trx`, prepared statements through
   * `run` (on SQLite, straight on the connection the transaction holds).
   */
  write<T>(fn: (trx: Db, run: Run) => Promise<T>): Promise<T>;
  /**
   * Runs a prepared read outside any transaction, by the shortest way the engine offers: on
   * SQLite a separate read-only connection (WAL: it sees every committed write, never one in
   * progress) run synchronously; on PostgreSQL a statement the pooled connection keeps prepared.
   */
  read<R>(q: Prepared<R>, values: readonly unknown[]): Promise<R[]>;
  /**
   * Runs one prepared statement as a transaction of its own. On PostgreSQL that is a single
   * round trip (no BEGIN, no COMMIT); on SQLite the statement takes the write connection.
   */
  once<R>(q: Prepared<R>, values: readonly unknown[]): Promise<{ rows: R[]; changes: number }>;
  /** The connection pool's state (PostgreSQL); null for SQLite's fixed connections. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

/** Connections of a pool: open ones, idle ones, and callers waiting for one. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Runs a prepared statement inside a write transaction. */
export type Run = <R>(q: Prepared<R>, values: readonly unknown[]) => Promise<{ rows: R[]; changes: number }>;

export type StoreTarget = { sqlitePath: string } | { postgresUrl: string };

const RETRYABLE_PG = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 12;

/**
 * A write transaction that kept conflicting with concurrent ones (serialization failures or
 * deadlocks) through every retry: the caller may try again; nothing was written.
 */
export class WriteConflict extends Error {
  override name = 'WriteConflict';
  constructor(override readonly cause: unknown) {
    super('The write kept conflicting with concurrent writes');
  }
}

/** Exponential backoff with full jitter: up to 2, 4, 8 … 200 ms. */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 2 ** attempt)));

export function connect(target: StoreTarget): Connection {
  return 'sqlitePath' in target ? connectSqlite(target.sqlitePath) : connectPostgres(target.postgresUrl);
}

function connectSqlite(path: string): Connection {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('cache_size = -65536');
  cachePreparedStatements(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  // A second connection for hot-path reads, opened on first use (after migrations made the
  // schema). An in-memory database exists only on its own connection: reads stay on the first.
  let reader: SQLite.Database | undefined;
  const readConnection = () => {
    if (!reader) {
      reader = path === ':memory:' ? database : new SQLite(path, { readonly: true });
      if (reader !== database) {
        reader.pragma('busy_timeout = 5000');
        reader.pragma('cache_size = -65536');
        cachePreparedStatements(reader);
      }
    }
    return reader;
  };
  return {
    kind: 'sqlite',
    db,
    read: async <R>(q: Prepared<R>, values: readonly unknown[]) => readConnection().prepare(q.sql).all(bindValues(q, values)) as R[],
    once: (q, values) => db.connection().execute(() => runOn(database)(q, values)),
    poolStats: () => null,
    async close() {
      if (reader && reader !== database) reader.close();
      await db.destroy();
    },
    write: (fn) =>
      // SqliteDialect has a single connection behind a mutex: holding it makes the
      // transaction ours alone within this process; IMMEDIATE makes it ours across processes.
      db.connection().execute(async (conn) => {
        database.prepare('begin immediate').run();
        try {
          const result = await fn(conn, runOn(database));
          database.prepare('commit').run();
          return result;
        } catch (err) {
          if (database.inTransaction) database.prepare('rollback').run();
          throw err;
        }
      }),
  };
}

/** Prepared statements run synchronously on a SQLite connection this caller holds. */
const runOn =
  (database: SQLite.Database): Run =>
  async <R>(q: Prepared<R>, values: readonly unknown[]) => {
    const stmt = database.prepare(q.sql);
    const params = bindValues(q, values);
    if (stmt.reader) return { rows: stmt.all(params) as R[], changes: 0 };
    return { rows: [], changes: stmt.run(params).changes };
  };

/**
 * Kysely's SQLite driver prepares every query anew; compiling the same SQL again was a tenth of
 * the hot path's CPU. Statements are reusable (better-sqlite3 runs them synchronously, one at a
 * time), so keep them by SQL text, bounded.
 */
function cachePreparedStatements(database: SQLite.Database, max = 500): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, ReturnType<typeof prepare>>();
  database.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    return stmt;
  }) as typeof database.prepare;
}

function connectPostgres(url: string): Connection {
  // int8 (bigint) columns hold millisecond timestamps and sequence numbers, all far below 2^53.
  const types = {
    getTypeParser: (oid: number, format?: string) =>
      oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({ connectionString: url, max: 10, types } as pg.PoolConfig);
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    read: async <R>(q: Prepared<R>, values: readonly unknown[]) => (await named(pool, q, values)).rows as R[],
    async once<R>(q: Prepared<R>, values: readonly unknown[]) {
      const r = await named(pool, q, values);
      return { rows: r.rows as R[], changes: r.rowCount ?? 0 };
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => db.destroy(),
    async write(fn) {
      // SERIALIZABLE: read-then-write rules (the first account becomes admin, a roll retires
      // every live secret) hold under concurrency; conflicts surface as 40001 and are retried.
      for (let attempt = 1; ; attempt++) {
        try {
          return await db
            .transaction()
            .setIsolationLevel('serializable')
            .execute((trx) =>
              fn(trx, async (q, values) => {
                const r = await trx.executeQuery(bind(q, values));
                return { rows: r.rows, changes: Number(r.numAffectedRows ?? 0) };
              }),
            );
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (typeof code !== 'string' || !RETRYABLE_PG.has(code)) throw err;
          if (attempt >= MAX_ATTEMPTS) throw new WriteConflict(err);
          await backoff(attempt);
        }
      }
    },
  };
}

/**
 * A prepared statement by name on a pooled connection. A schema change made while the process
 * runs (another instance migrating) can make PostgreSQL refuse a statement prepared before it
 * ("cached plan must not change result type", 0A000): that query is then sent unprepared.
 */
async function named(pool: pg.Pool, q: Prepared<unknown>, values: readonly unknown[]): Promise<pg.QueryResult> {
  const params = bindValues(q, values);
  try {
    return await pool.query({ name: q.name, text: q.sql, values: params });
  } catch (err) {
    if ((err as { code?: unknown }).code !== '0A000') throw err;
    return pool.query(q.sql, params);
  }
}

/** True for a unique-constraint violation on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
