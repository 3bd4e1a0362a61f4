/**
 * Credential events on Kysely: every revocation or change of a credential (an API key, a grant,
 * a token, an app) appends one, in the transaction that made the change, so that other
 * processes can drop what they cached about it. Pollers read events by increasing `seq`.
 */
import { sql } from 'kysely';
import type { CredentialEvent } from '../core/model/credential-event.js';
import type { Connection, Db } from './connect.js';
import type { CredentialEventLog } from './store.js';

/** Advisory-lock id that orders credential events on PostgreSQL ("GHEV"). */
const EVENT_LOCK = 0x47484556;
/** Most events one read returns; a poller reads again while it gets full pages. */
const PAGE = 1000;

/**
 * Appends an event for `id` inside the write transaction `trx`. Events must become visible in
 * seq order: SQLite has one writer at a time; on PostgreSQL a transaction-scoped advisory lock
 * makes event writers take turns.
 */
export async function appendCredentialEvent(kind: Connection['kind'], trx: Db, id: string, at: number): Promise<void> {
  if (kind === 'postgres') await sql`select pg_advisory_xact_lock(${EVENT_LOCK})`.execute(trx);
  await trx.insertInto('credential_events').values({ key_id: id, at }).execute();
}

export class KyselyCredentialEventLog implements CredentialEventLog {
  private readonly db: Db;

  constructor(conn: Connection) {
    this.db = conn.db;
  }

  async since(seq: number): Promise<CredentialEvent[]> {
    const rows = await this.db.selectFrom('credential_events').select(['seq', 'key_id']).where('seq', '>', seq).orderBy('seq').limit(PAGE).execute();
    return rows.map((r) => ({ seq: Number(r.seq), keyId: r.key_id }));
  }

  async latestSeq() {
    const r = await this.db
      .selectFrom('credential_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(r?.seq ?? 0);
  }
}
