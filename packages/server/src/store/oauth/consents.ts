/**
 * Consents on Kysely: the scopes a user approved for an app, so the authorization endpoint asks
 * again only for more. The read is on every authorization request, so it is compiled once.
 */
import type { Connection, Db } from '../connect.js';
import { prepare } from '../prepared.js';
import { split } from '../schema.js';
import type { ConsentStore } from './store.js';

const statements = (db: Db) => ({
  consent: prepare(($) => db.selectFrom('oauth_consents').select('scopes').where('user_id', '=', $(0)).where('client_id', '=', $(1))),
});

export class KyselyConsentStore implements ConsentStore {
  private readonly db: Db;
  private readonly q: ReturnType<typeof statements>;

  constructor(private readonly conn: Connection) {
    this.db = conn.db;
    this.q = statements(conn.db);
  }

  async get(userId: string, clientId: string) {
    const [r] = await this.conn.read(this.q.consent, [userId, clientId]);
    return r && split(r.scopes);
  }

  async save(userId: string, clientId: string, scopes: string[], at: number) {
    // One upsert statement: concurrent approvals of the same app never collide on the key.
    await this.db
      .insertInto('oauth_consents')
      .values({ user_id: userId, client_id: clientId, scopes: scopes.join(' '), updated_at: at })
      .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scopes: scopes.join(' '), updated_at: at }))
      .execute();
  }

  async delete(userId: string, clientId: string) {
    await this.db.deleteFrom('oauth_consents').where('user_id', '=', userId).where('client_id', '=', clientId).execute();
  }
}
