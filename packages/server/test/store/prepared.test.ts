/**
 * Prepared statements: compiled once with slots, bound to new values on every run, with fixed
 * values kept in place; the name PostgreSQL prepares them under follows the SQL text.
 */
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { bindValues, prepare } from '../../src/store/prepared.js';
import type { Database } from '../../src/store/schema.js';

// Compiling needs only the dialect's compiler: these instances never connect.
const sqliteDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: {} as never }) });
const pgDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: {} as never }) });

describe('prepare', () => {
  it('puts each slot value where its slot was, around fixed values, on either dialect', () => {
    for (const db of [sqliteDb, pgDb]) {
      const q = prepare(($) => db.selectFrom('api_keys').selectAll().where('owner_id', '=', $(1)).where('name', '=', 'fixed').where('id', '=', $(0)));
      expect(bindValues(q, ['key_1', 'usr_1'])).toEqual(['usr_1', 'fixed', 'key_1']);
      expect(bindValues(q, ['key_2', 'usr_2'])).toEqual(['usr_2', 'fixed', 'key_2']);
    }
  });

  it('refuses to run with a value missing', () => {
    const q = prepare(($) => sqliteDb.selectFrom('api_keys').selectAll().where('id', '=', $(0)).where('owner_id', '=', $(1)));
    expect(() => bindValues(q, ['only one'])).toThrow(/needs value 1/);
  });

  it('names a statement by its SQL text: the same text, the same name; another text, another name', () => {
    const a = prepare(($) => pgDb.selectFrom('api_keys').selectAll().where('id', '=', $(0)));
    const b = prepare(($) => pgDb.selectFrom('api_keys').selectAll().where('id', '=', $(0)));
    const c = prepare(($) => pgDb.selectFrom('api_keys').selectAll().where('owner_id', '=', $(0)));
    expect(a.name).toBe(b.name);
    expect(a.name).not.toBe(c.name);
    expect(a.sql).toContain('$1');
  });
});
