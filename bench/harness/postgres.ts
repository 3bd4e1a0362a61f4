/** A fresh PostgreSQL database per benchmark target, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TempDatabase {
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The server's version string, or undefined when PostgreSQL is unreachable. */
export async function postgresVersion(): Promise<string | undefined> {
  try {
    return await withAdmin(async (c) => String((await c.query('show server_version')).rows[0]?.server_version ?? 'unknown'));
  } catch {
    return undefined;
  }
}

export async function createTempDatabase(): Promise<TempDatabase> {
  const name = `gh_bench_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  const url = new URL(BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
