/** The OAuth store's hot-path statements, compiled once (see prepared.ts). */
import type { Db, Run } from './connect.js';
import type { AccessTokenRecord, NewTokens } from '../core/model/token.js';
import { prepare, prepareSql } from './prepared.js';

/** The queries on the token endpoint's and introspection's hot paths, compiled once. */
export const oauthStatements = (db: Db) => ({
  client: prepare(($) => db.selectFrom('oauth_clients').selectAll().where('id', '=', $(0))),
  consent: prepare(($) => db.selectFrom('oauth_consents').select('scopes').where('user_id', '=', $(0)).where('client_id', '=', $(1))),
  grant: prepare(($) => db.selectFrom('oauth_grants').selectAll().where('id', '=', $(0))),
  accessToken: prepare(($) =>
    db
      .selectFrom('oauth_access_tokens as t')
      .innerJoin('oauth_grants as g', 'g.id', 't.grant_id')
      .innerJoin('oauth_clients as c', 'c.id', 'g.client_id')
      .selectAll('g')
      .select(['t.hash', 't.scopes as t_scopes', 't.created_at as t_created', 't.expires_at as t_expires', 't.revoked_at as t_revoked', 'c.owner_id'])
      .where('t.hash', '=', $(0)),
  ),
  refreshToken: prepare(($) =>
    db
      .selectFrom('oauth_refresh_tokens as t')
      .innerJoin('oauth_grants as g', 'g.id', 't.grant_id')
      .selectAll('t')
      .select(['g.client_id', 'g.user_id', 'g.scopes as g_scopes', 'g.created_at as g_created', 'g.revoked_at', 'g.last_used_at'])
      .where('t.hash', '=', $(0)),
  ),
  insertAccess: prepare(($) =>
    db.insertInto('oauth_access_tokens').values({ hash: $(0), grant_id: $(1), scopes: $(2), created_at: $(3), expires_at: $(4), revoked_at: null }),
  ),
  insertRefresh: prepare(($) =>
    db.insertInto('oauth_refresh_tokens').values({
      hash: $(0),
      grant_id: $(1),
      scopes: $(2),
      created_at: $(3),
      expires_at: $(4),
      idle_expires_at: $(5),
      rotated_at: null,
      successor_sealed: null,
    }),
  ),
  rotate: prepare(($) =>
    db.updateTable('oauth_refresh_tokens').set({ rotated_at: $(1), successor_sealed: $(2) }).where('hash', '=', $(0)).where('rotated_at', 'is', null),
  ),
  refreshRow: prepare(($) => db.selectFrom('oauth_refresh_tokens').selectAll().where('hash', '=', $(0))),
});
export type OAuthStatements = ReturnType<typeof oauthStatements>;

/**
 * PostgreSQL: a refresh-token rotation in one statement (one round trip instead of six). The
 * conditional UPDATE decides the winner under any isolation level, as in the transaction the
 * SQLite path runs; the inserts happen only when it won. A null hash means "no such token".
 */
export const ROTATE_PG = prepareSql<{ won: number }>(
  `with won as (
     update oauth_refresh_tokens set rotated_at = $2, successor_sealed = $3
     where hash = $1 and rotated_at is null
     returning hash
   ), access as (
     insert into oauth_access_tokens (hash, grant_id, scopes, created_at, expires_at, revoked_at)
     select $4::text, $5::text, $6::text, $7::bigint, $8::bigint, null from won where $4::text is not null
   ), refresh as (
     insert into oauth_refresh_tokens (hash, grant_id, scopes, created_at, expires_at, idle_expires_at, rotated_at, successor_sealed)
     select $9::text, $10::text, $11::text, $12::bigint, $13::bigint, $14::bigint, null, null from won where $9::text is not null
   )
   select count(*)::int as won from won`,
  14,
);

export async function insertTokens(run: Run, q: OAuthStatements, tokens: NewTokens): Promise<void> {
  const a: AccessTokenRecord | null = tokens.access;
  if (a) await run(q.insertAccess, [a.hash, a.grantId, a.scopes.join(' '), a.createdAt, a.expiresAt]);
  const r = tokens.refresh;
  if (r) await run(q.insertRefresh, [r.hash, r.grantId, r.scopes.join(' '), r.createdAt, r.expiresAt, r.idleExpiresAt]);
}
