/**
 * Authorization codes on Kysely. Redeeming one is a race the database settles: a single
 * conditional UPDATE lets exactly one caller win, whatever the isolation level; every later
 * caller learns the code was reused, and which grant it produced, so that grant can be revoked
 * (RFC 9700 §4.5.3).
 */
import type { AuthCodeRecord } from '../../core/model/authorization-code.js';
import type { Connection, Db } from '../connect.js';
import { type Row, split } from '../schema.js';
import type { AuthCodeStore, ConsumeResult } from './store.js';

/** Marks a code whose replay was seen before its grant was linked (see grants.ts `create`). */
const REPLAYED = '!replayed';

const toCode = (r: Row<'oauth_codes'>): AuthCodeRecord => ({
  hash: r.hash,
  clientId: r.client_id,
  userId: r.user_id,
  redirectUri: r.redirect_uri,
  scopes: split(r.scopes),
  codeChallenge: r.code_challenge,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export class KyselyAuthCodeStore implements AuthCodeStore {
  private readonly db: Db;

  constructor(conn: Connection) {
    this.db = conn.db;
  }

  async create(code: AuthCodeRecord) {
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

  async consume(hash: string, at: number): Promise<ConsumeResult> {
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
    // grants.create sees (and then revokes its own grant), so no interleaving lets tokens survive.
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
}
