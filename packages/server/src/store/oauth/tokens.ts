/**
 * OAuth tokens on Kysely: the hot paths of the token endpoint and of introspection. Every
 * statement they run is compiled once (prepared.ts). A refresh-token rotation is a
 * compare-and-set: on PostgreSQL one data-modifying statement (one round trip); on SQLite the
 * same conditional UPDATE and inserts in one `BEGIN IMMEDIATE` transaction.
 */
import type { AccessTokenMatch, AccessTokenRecord, NewTokens, RefreshTokenMatch, RefreshTokenRecord } from '../../core/model/token.js';
import type { Connection, Db, Run } from '../connect.js';
import { appendCredentialEvent } from '../credential-events.js';
import { prepare, prepareSql } from '../prepared.js';
import { type Row, split } from '../schema.js';
import { type TokenWriter, toGrant } from './grants.js';
import type { RotateResult, TokenStore } from './store.js';

const toRefresh = (r: Row<'oauth_refresh_tokens'>): RefreshTokenRecord => ({
  hash: r.hash,
  grantId: r.grant_id,
  scopes: split(r.scopes),
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  idleExpiresAt: r.idle_expires_at,
  rotatedAt: r.rotated_at,
  successorSealed: r.successor_sealed,
});

const statements = (db: Db) => ({
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

/**
 * PostgreSQL: a refresh-token rotation in one statement (one round trip instead of six). The
 * conditional UPDATE decides the winner under any isolation level, as in the transaction the
 * SQLite path runs; the inserts happen only when it won. A null hash means "no such token".
 */
const ROTATE_PG = prepareSql<{ won: number }>(
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

export class KyselyTokenStore implements TokenStore {
  private readonly q: ReturnType<typeof statements>;

  constructor(private readonly conn: Connection) {
    this.q = statements(conn.db);
  }

  /** Inserts new tokens inside a write transaction: here, and for the grant store's `create`. */
  readonly insertIn: TokenWriter = async (run: Run, tokens: NewTokens) => {
    const a: AccessTokenRecord | null = tokens.access;
    if (a) await run(this.q.insertAccess, [a.hash, a.grantId, a.scopes.join(' '), a.createdAt, a.expiresAt]);
    const r = tokens.refresh;
    if (r) await run(this.q.insertRefresh, [r.hash, r.grantId, r.scopes.join(' '), r.createdAt, r.expiresAt, r.idleExpiresAt]);
  };

  async addAccess(token: AccessTokenRecord) {
    await this.conn.write((_trx, run) => this.insertIn(run, { access: token, refresh: null }));
  }

  async findAccess(hash: string): Promise<AccessTokenMatch | undefined> {
    const [r] = await this.conn.read(this.q.accessToken, [hash]);
    if (!r || r.t_revoked !== null) return undefined;
    return {
      token: { hash: r.hash, grantId: r.id, scopes: split(r.t_scopes), createdAt: r.t_created, expiresAt: r.t_expires },
      grant: toGrant(r),
      client: { id: r.client_id, ownerId: r.owner_id },
    };
  }

  async revokeAccess(hash: string, at: number) {
    return this.conn.write(async (trx) => {
      const r = await trx.updateTable('oauth_access_tokens').set({ revoked_at: at }).where('hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await appendCredentialEvent(this.conn.kind, trx, hash, at);
      return true;
    });
  }

  async findRefresh(hash: string): Promise<RefreshTokenMatch | undefined> {
    const [r] = await this.conn.read(this.q.refreshToken, [hash]);
    if (!r) return undefined;
    return {
      token: toRefresh(r),
      grant: toGrant({
        id: r.grant_id,
        client_id: r.client_id,
        user_id: r.user_id,
        scopes: r.g_scopes,
        created_at: r.g_created,
        revoked_at: r.revoked_at,
        last_used_at: r.last_used_at,
      }),
    };
  }

  async rotateRefresh(oldHash: string, at: number, tokens: NewTokens, successorSealed: string | null): Promise<RotateResult> {
    if (this.conn.kind === 'postgres') {
      const { access: a, refresh: r } = tokens;
      const { rows } = await this.conn.once(ROTATE_PG, [
        oldHash,
        at,
        successorSealed,
        ...(a ? [a.hash, a.grantId, a.scopes.join(' '), a.createdAt, a.expiresAt] : [null, null, null, null, null]),
        ...(r ? [r.hash, r.grantId, r.scopes.join(' '), r.createdAt, r.expiresAt, r.idleExpiresAt] : [null, null, null, null, null, null]),
      ]);
      if (rows[0]?.won === 1) return { status: 'rotated' };
      const [seen] = await this.conn.read(this.q.refreshRow, [oldHash]);
      return seen ? { status: 'reused', token: toRefresh(seen) } : { status: 'unknown' };
    }
    return this.conn.write(async (_trx, run) => {
      const won = await run(this.q.rotate, [oldHash, at, successorSealed]);
      if (won.changes === 1) {
        await this.insertIn(run, tokens);
        return { status: 'rotated' as const };
      }
      const [seen] = (await run(this.q.refreshRow, [oldHash])).rows;
      return seen ? { status: 'reused' as const, token: toRefresh(seen) } : { status: 'unknown' as const };
    });
  }
}
