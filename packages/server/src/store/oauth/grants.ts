/**
 * Grants on Kysely: what a user allowed an app, the root of every token issued under it.
 * Revoking a grant (here, from an app's deletion, or from a code replay) always emits a
 * credential event in the same transaction, so every instance drops the tokens it cached.
 */
import type { AuditInput } from '../../core/model/audit.js';
import type { GrantRecord, GrantView } from '../../core/model/grant.js';
import type { NewTokens } from '../../core/model/token.js';
import { appendAuditIn } from '../audit.js';
import type { Connection, Db, Run } from '../connect.js';
import { appendCredentialEvent } from '../credential-events.js';
import { lastUsedWriter } from '../last-used.js';
import { prepare } from '../prepared.js';
import { type Row, split } from '../schema.js';
import type { GrantStore } from './store.js';

export const toGrant = (r: Row<'oauth_grants'>): GrantRecord => ({
  id: r.id,
  clientId: r.client_id,
  userId: r.user_id,
  scopes: split(r.scopes),
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

/** Revokes grant `id` inside the write transaction `trx`; false when it was already revoked or unknown. */
export async function revokeGrantIn(kind: Connection['kind'], trx: Db, id: string, at: number): Promise<boolean> {
  const r = await trx.updateTable('oauth_grants').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return false;
  await appendCredentialEvent(kind, trx, id, at);
  return true;
}

/** Writes a grant's tokens inside its transaction (the token store's prepared inserts). */
export type TokenWriter = (run: Run, tokens: NewTokens) => Promise<void>;

const statements = (db: Db) => ({
  grant: prepare(($) => db.selectFrom('oauth_grants').selectAll().where('id', '=', $(0))),
});

export class KyselyGrantStore implements GrantStore {
  private readonly db: Db;
  private readonly q: ReturnType<typeof statements>;
  private readonly writeUsage: (usage: ReadonlyMap<string, number>) => Promise<void>;

  constructor(
    private readonly conn: Connection,
    private readonly insertTokens: TokenWriter,
  ) {
    this.db = conn.db;
    this.q = statements(conn.db);
    this.writeUsage = lastUsedWriter(conn, 'oauth_grants');
  }

  async create(grant: GrantRecord, tokens: NewTokens, fromCodeHash: string | null) {
    await this.conn.write(async (trx, run) => {
      await trx
        .insertInto('oauth_grants')
        .values({
          id: grant.id,
          client_id: grant.clientId,
          user_id: grant.userId,
          scopes: grant.scopes.join(' '),
          created_at: grant.createdAt,
          revoked_at: null,
          last_used_at: null,
        })
        .execute();
      await this.insertTokens(run, tokens);
      if (fromCodeHash) {
        const linked = await trx.updateTable('oauth_codes').set({ grant_id: grant.id }).where('hash', '=', fromCodeHash).where('grant_id', 'is', null).executeTakeFirst();
        // The code was replayed while this grant was being made: what it issued is revoked.
        if (Number(linked.numUpdatedRows) === 0) await revokeGrantIn(this.conn.kind, trx, grant.id, grant.createdAt);
      }
    });
  }

  async get(id: string) {
    const [r] = await this.conn.read(this.q.grant, [id]);
    return r && toGrant(r);
  }

  async revoke(id: string, at: number, audit: AuditInput | null) {
    return this.conn.write(async (trx) => {
      const done = await revokeGrantIn(this.conn.kind, trx, id, at);
      if (done && audit) await appendAuditIn(trx, audit);
      return done;
    });
  }

  async listForUser(userId: string): Promise<GrantView[]> {
    const rows = await this.db
      .selectFrom('oauth_grants as g')
      .innerJoin('oauth_clients as c', 'c.id', 'g.client_id')
      .selectAll('g')
      .select('c.name as client_name')
      .where('g.user_id', '=', userId)
      .where('g.revoked_at', 'is', null)
      .orderBy('g.created_at', 'desc')
      .execute();
    return rows.map((r) => ({ ...toGrant(r), clientName: r.client_name }));
  }

  async revokeAppAccess(userId: string, clientId: string, at: number, audit: AuditInput) {
    return this.conn.write(async (trx) => {
      const grants = await trx
        .selectFrom('oauth_grants')
        .select('id')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .execute();
      for (const g of grants) await revokeGrantIn(this.conn.kind, trx, g.id, at);
      await trx.deleteFrom('oauth_consents').where('user_id', '=', userId).where('client_id', '=', clientId).execute();
      await appendAuditIn(trx, { ...audit, detail: { ...audit.detail, grants: grants.length } });
      return grants.map((g) => g.id);
    });
  }

  async recordUsage(usage: ReadonlyMap<string, number>) {
    await this.writeUsage(usage);
  }
}
