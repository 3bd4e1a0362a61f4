/** The OAuthStore on Kysely (SQLite and PostgreSQL). */
import { type Connection, type Db, appendCredentialEvent, auditRow } from './connect.js';
import { lastUsedWriter } from './last-used.js';
import { clientRow, toClient, toCode, toGrant, toRefresh, split } from './oauth-rows.js';
import { type OAuthStatements, ROTATE_PG, insertTokens, oauthStatements } from './oauth-statements.js';
import type { AuthCodeRecord } from '../core/model/authorization-code.js';
import type { ClientRecord } from '../core/model/client.js';
import type { GrantRecord, GrantView } from '../core/model/grant.js';
import type { AccessTokenMatch, AccessTokenRecord, NewTokens, RefreshTokenMatch } from '../core/model/token.js';
import type { ConsumeResult, OAuthStore, RotateResult } from './oauth-store.js';
import type { AuditInput } from '../core/model/audit.js';

/** Marks a code whose replay was seen before its grant was linked. */
const REPLAYED = '!replayed';

export class KyselyOAuthStore implements OAuthStore {
  private readonly db: Db;
  private readonly q: OAuthStatements;
  private readonly writeGrantUsage: (usage: ReadonlyMap<string, number>) => Promise<void>;

  constructor(private readonly conn: Connection) {
    this.db = conn.db;
    this.q = oauthStatements(conn.db);
    this.writeGrantUsage = lastUsedWriter(conn, 'oauth_grants');
  }

  private async revokeGrantIn(trx: Db, id: string, at: number): Promise<boolean> {
    const r = await trx.updateTable('oauth_grants').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await appendCredentialEvent(this.conn.kind, trx, id, at);
    return true;
  }

  async createClient(client: ClientRecord, audit: AuditInput) {
    await this.conn.write(async (trx) => {
      await trx.insertInto('oauth_clients').values(clientRow(client)).execute();
      await trx.insertInto('audit_log').values(auditRow(audit)).execute();
    });
  }

  async getClient(id: string) {
    const [r] = await this.conn.read(this.q.client, [id]);
    return r && toClient(r);
  }

  async listClients(ownerId?: string) {
    let q = this.db.selectFrom('oauth_clients').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (ownerId !== undefined) q = q.where('owner_id', '=', ownerId);
    return (await q.execute()).map(toClient);
  }

  async updateClient(client: ClientRecord, audit: AuditInput) {
    const { id, owner_id, created_at, ...rest } = clientRow(client);
    await this.conn.write(async (trx) => {
      await trx.updateTable('oauth_clients').set(rest).where('id', '=', id).execute();
      // Other instances cache apps for client authentication: a new secret or settings reach them.
      await appendCredentialEvent(this.conn.kind, trx, id, client.updatedAt);
      await trx.insertInto('audit_log').values(auditRow(audit)).execute();
    });
  }

  async deleteClient(id: string, at: number, audit: AuditInput) {
    return this.conn.write(async (trx) => {
      const grants = await trx.selectFrom('oauth_grants').select('id').where('client_id', '=', id).where('revoked_at', 'is', null).execute();
      for (const g of grants) await this.revokeGrantIn(trx, g.id, at);
      const r = await trx.deleteFrom('oauth_clients').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await appendCredentialEvent(this.conn.kind, trx, id, at);
      await trx.insertInto('audit_log').values(auditRow(audit)).execute();
      return true;
    });
  }

  async getConsent(userId: string, clientId: string) {
    const [r] = await this.conn.read(this.q.consent, [userId, clientId]);
    return r && split(r.scopes);
  }

  async saveConsent(userId: string, clientId: string, scopes: string[], at: number) {
    // One upsert statement: concurrent approvals of the same app never collide on the key.
    await this.db
      .insertInto('oauth_consents')
      .values({ user_id: userId, client_id: clientId, scopes: scopes.join(' '), updated_at: at })
      .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scopes: scopes.join(' '), updated_at: at }))
      .execute();
  }

  async deleteConsent(userId: string, clientId: string) {
    await this.db.deleteFrom('oauth_consents').where('user_id', '=', userId).where('client_id', '=', clientId).execute();
  }

  async createAuthCode(code: AuthCodeRecord) {
    await this.db
      .insertInto('oauth_codes')
      .values({
        hash: code.hash,
        client_id: code.clientId,
        user_id: code.userId,
        redirect_uri: code.redirectUri,
        scopes: code.scopes.join(' '),
        code_challenge: code.codeChallenge,
        created_at: code.createdAt,
        expires_at: code.expiresAt,
        consumed_at: null,
        grant_id: null,
      })
      .execute();
  }

  async consumeAuthCode(hash: string, at: number): Promise<ConsumeResult> {
    // A single conditional UPDATE: the database decides who wins, whatever the isolation level.
    const won = await this.db
      .updateTable('oauth_codes')
      .set({ consumed_at: at })
      .where('hash', '=', hash)
      .where('consumed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (won) return { status: 'consumed', code: toCode(won) };
    // A replay may arrive before the winner has linked its grant: leave a mark the winner's
    // createGrant sees (and then revokes its own grant), so no interleaving lets tokens survive.
    const marked = await this.db
      .updateTable('oauth_codes')
      .set({ grant_id: REPLAYED })
      .where('hash', '=', hash)
      .where('grant_id', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (marked) return { status: 'reused', code: toCode(marked), grantId: null };
    const seen = await this.db.selectFrom('oauth_codes').selectAll().where('hash', '=', hash).executeTakeFirst();
    if (!seen) return { status: 'unknown' };
    return { status: 'reused', code: toCode(seen), grantId: seen.grant_id === REPLAYED ? null : seen.grant_id };
  }

  async createGrant(grant: GrantRecord, tokens: NewTokens, fromCodeHash: string | null) {
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
      await insertTokens(run, this.q, tokens);
      if (fromCodeHash) {
        const linked = await trx.updateTable('oauth_codes').set({ grant_id: grant.id }).where('hash', '=', fromCodeHash).where('grant_id', 'is', null).executeTakeFirst();
        // The code was replayed while this grant was being made: what it issued is revoked.
        if (Number(linked.numUpdatedRows) === 0) await this.revokeGrantIn(trx, grant.id, grant.createdAt);
      }
    });
  }

  async getGrant(id: string) {
    const [r] = await this.conn.read(this.q.grant, [id]);
    return r && toGrant(r);
  }

  async revokeGrant(id: string, at: number, audit: AuditInput | null) {
    return this.conn.write(async (trx) => {
      const done = await this.revokeGrantIn(trx, id, at);
      if (done && audit) await trx.insertInto('audit_log').values(auditRow(audit)).execute();
      return done;
    });
  }

  async listGrantsForUser(userId: string): Promise<GrantView[]> {
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

  async revokeUserGrants(userId: string, clientId: string, at: number, audit: AuditInput) {
    return this.conn.write(async (trx) => {
      const grants = await trx
        .selectFrom('oauth_grants')
        .select('id')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .execute();
      for (const g of grants) await this.revokeGrantIn(trx, g.id, at);
      await trx.deleteFrom('oauth_consents').where('user_id', '=', userId).where('client_id', '=', clientId).execute();
      await trx.insertInto('audit_log').values(auditRow({ ...audit, detail: { ...audit.detail, grants: grants.length } })).execute();
      return grants.map((g) => g.id);
    });
  }

  async addAccessToken(token: AccessTokenRecord) {
    await this.conn.write((_trx, run) => insertTokens(run, this.q, { access: token, refresh: null }));
  }

  async findAccessToken(hash: string): Promise<AccessTokenMatch | undefined> {
    const [r] = await this.conn.read(this.q.accessToken, [hash]);
    if (!r || r.t_revoked !== null) return undefined;
    return {
      token: { hash: r.hash, grantId: r.id, scopes: split(r.t_scopes), createdAt: r.t_created, expiresAt: r.t_expires },
      grant: toGrant(r),
      client: { id: r.client_id, ownerId: r.owner_id },
    };
  }

  async revokeAccessToken(hash: string, at: number) {
    return this.conn.write(async (trx) => {
      const r = await trx.updateTable('oauth_access_tokens').set({ revoked_at: at }).where('hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await appendCredentialEvent(this.conn.kind, trx, hash, at);
      return true;
    });
  }

  async findRefreshToken(hash: string): Promise<RefreshTokenMatch | undefined> {
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

  async rotateRefreshToken(oldHash: string, at: number, tokens: NewTokens, successorSealed: string | null): Promise<RotateResult> {
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
        await insertTokens(run, this.q, tokens);
        return { status: 'rotated' as const };
      }
      const [seen] = (await run(this.q.refreshRow, [oldHash])).rows;
      return seen ? { status: 'reused' as const, token: toRefresh(seen) } : { status: 'unknown' as const };
    });
  }

  async recordGrantUsage(usage: ReadonlyMap<string, number>) {
    await this.writeGrantUsage(usage);
  }
}
