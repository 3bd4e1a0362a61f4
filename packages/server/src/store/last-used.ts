/**
 * "Last used" times, written in batches off the hot path (API keys, OAuth grants). A time only
 * moves forward. On PostgreSQL the whole batch is one statement (the ids and times as two
 * arrays); on SQLite, one prepared statement per row inside a single write transaction.
 */
import type { Connection } from './connect.js';
import { prepare, prepareSql } from './prepared.js';

export type UsageTable = 'api_keys' | 'oauth_grants';

export function lastUsedWriter(conn: Connection, table: UsageTable): (usage: ReadonlyMap<string, number>) => Promise<void> {
  const perRow = prepare(($) =>
    conn.db
      .updateTable(table as 'api_keys')
      .set({ last_used_at: $(1) })
      .where('id', '=', $(0))
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', $(1))])),
  );
  const batch = prepareSql(
    `update ${table} as t set last_used_at = u.at
     from unnest($1::text[], $2::bigint[]) as u(id, at)
     where t.id = u.id and (t.last_used_at is null or t.last_used_at < u.at)`,
    2,
  );
  return async (usage) => {
    if (usage.size === 0) return;
    if (conn.kind === 'postgres') {
      await conn.once(batch, [[...usage.keys()], [...usage.values()]]);
      return;
    }
    await conn.write(async (_trx, run) => {
      for (const [id, at] of usage) await run(perRow, [id, at]);
    });
  };
}
