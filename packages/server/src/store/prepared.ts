/**
 * Hot-path statements built once. Building and compiling a query with Kysely costs more than
 * running it on SQLite, and every credential check, token refresh and introspection runs the
 * same few queries; so those are written with the query builder as usual, compiled once with
 * numbered slots where their values go, and bound to new values on every run.
 */
import { createHash } from 'node:crypto';
import { type Compilable, CompiledQuery } from 'kysely';

class Slot {
  constructor(readonly index: number) {}
}

/** A compiled statement whose parameters come from slots; `R` is the row it returns. */
export interface Prepared<R> {
  /** Derived from the SQL text: PostgreSQL keeps the statement prepared per connection under it. */
  readonly name: string;
  readonly sql: string;
  readonly parameters: readonly unknown[];
  /** Phantom: carries the row type. */
  readonly row?: R;
}

/**
 * Compiles `build`'s query once. `$(i)` stands for the i-th value given to `bind`; the builder
 * sees it as a value of any type. Values written literally stay fixed.
 */
export function prepare<R>(build: ($: (i: number) => never) => Compilable<R>): Prepared<R> {
  const { sql, parameters } = build((i) => new Slot(i) as never).compile();
  return { name: nameOf(sql), sql, parameters };
}

/**
 * A statement written as SQL text for one engine, where the query builder cannot say it (a
 * PostgreSQL data-modifying CTE); `$1`, `$2`, … are slots 0, 1, ….
 */
export function prepareSql<R>(sql: string, slots: number): Prepared<R> {
  const parameters = Array.from({ length: slots }, (_, i) => new Slot(i));
  return { name: nameOf(sql), sql, parameters };
}

const nameOf = (sql: string) => `gh_${createHash('sha256').update(sql).digest('base64url').slice(0, 22)}`;

/** The statement's parameters with slot `i` replaced by `values[i]`. */
export function bindValues(q: Prepared<unknown>, values: readonly unknown[]): unknown[] {
  return q.parameters.map((p) => {
    if (!(p instanceof Slot)) return p;
    if (p.index >= values.length) throw new Error(`statement ${q.name} needs value ${p.index}`);
    return values[p.index];
  });
}

/** As a Kysely compiled query, to run on a transaction's connection. */
export function bind<R>(q: Prepared<R>, values: readonly unknown[]): CompiledQuery<R> {
  return CompiledQuery.raw(q.sql, bindValues(q, values)) as CompiledQuery<R>;
}

