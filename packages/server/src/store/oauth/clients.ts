/**
 * OAuth apps on Kysely. Every token, revocation and introspection request authenticates its
 * app, so the lookup by id is compiled once. Changing or deleting an app emits a credential
 * event (other instances cache apps); deleting one revokes every grant it holds first.
 */
import type { AuditInput } from '../../core/model/audit.js';
import type { ClientRecord, ClientType } from '../../core/model/client.js';
import { appendAuditIn } from '../audit.js';
import type { Connection, Db } from '../connect.js';
import { appendCredentialEvent } from '../credential-events.js';
import { prepare } from '../prepared.js';
import { type Row, split } from '../schema.js';
import { revokeGrantIn } from './grants.js';
import type { ClientStore } from './store.js';

const toClient = (r: Row<'oauth_clients'>): ClientRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  type: r.type as ClientType,
  redirectUris: JSON.parse(r.redirect_uris) as string[],
  scopes: split(r.scopes),
  secretHash: r.secret_hash,
  secretStart: r.secret_start,
  jwtAccessTokens: r.jwt_access_tokens === 1,
  refreshGraceSeconds: r.refresh_grace_seconds,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const clientRow = (c: ClientRecord): Row<'oauth_clients'> => ({
  id: c.id,
  owner_id: c.ownerId,
  name: c.name,
  type: c.type,
  redirect_uris: JSON.stringify(c.redirectUris),
  scopes: c.scopes.join(' '),
  secret_hash: c.secretHash,
  secret_start: c.secretStart,
  jwt_access_tokens: c.jwtAccessTokens ? 1 : 0,
  refresh_grace_seconds: c.refreshGraceSeconds,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

const statements = (db: Db) => ({
  client: prepare(($) => db.selectFrom('oauth_clients').selectAll().where('id', '=', $(0))),
});

export class KyselyClientStore implements ClientStore {
  private readonly db: Db;
  private readonly q: ReturnType<typeof statements>;

  constructor(private readonly conn: Connection) {
    this.db = conn.db;
    this.q = statements(conn.db);
  }

  async create(client: ClientRecord, audit: AuditInput) {
    await this.conn.write(async (trx) => {
      await trx.insertInto('oauth_clients').values(clientRow(client)).execute();
      await appendAuditIn(trx, audit);
    });
  }

  async get(id: string) {
    const [r] = await this.conn.read(this.q.client, [id]);
    return r && toClient(r);
  }

  async list(ownerId?: string) {
    let q = this.db.selectFrom('oauth_clients').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (ownerId !== undefined) q = q.where('owner_id', '=', ownerId);
    return (await q.execute()).map(toClient);
  }

  async update(client: ClientRecord, audit: AuditInput) {
    const { id, owner_id, created_at, ...rest } = clientRow(client);
    await this.conn.write(async (trx) => {
      await trx.updateTable('oauth_clients').set(rest).where('id', '=', id).execute();
      // Other instances cache apps for client authentication: a new secret or settings reach them.
      await appendCredentialEvent(this.conn.kind, trx, id, client.updatedAt);
      await appendAuditIn(trx, audit);
    });
  }

  async delete(id: string, at: number, audit: AuditInput) {
    return this.conn.write(async (trx) => {
      const grants = await trx.selectFrom('oauth_grants').select('id').where('client_id', '=', id).where('revoked_at', 'is', null).execute();
      for (const g of grants) await revokeGrantIn(this.conn.kind, trx, g.id, at);
      const r = await trx.deleteFrom('oauth_clients').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await appendCredentialEvent(this.conn.kind, trx, id, at);
      await appendAuditIn(trx, audit);
      return true;
    });
  }
}
