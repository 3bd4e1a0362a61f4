/**
 * The audit log on Kysely. Entries are appended by the operation they record, in its own
 * transaction (`auditRow`), so an action and its entry are written together or not at all;
 * `append` is for entries that record no write (a failed sign-in, a new session).
 */
import type { AuditEntry, AuditInput } from '../core/model/audit.js';
import type { Connection, Db } from './connect.js';
import type { AuditLog } from './store.js';

/** An audit entry as a row; `detail` is stored as JSON text. */
export const auditRow = (a: AuditInput) => ({
  at: a.at,
  actor_type: a.actorType,
  actor_id: a.actorId,
  subject_user_id: a.subjectUserId,
  action: a.action,
  target: a.target,
  ip: a.ip,
  detail: JSON.stringify(a.detail ?? {}),
});

/** Appends `entry` inside the transaction `trx`. */
export async function appendAuditIn(trx: Db, entry: AuditInput): Promise<void> {
  await trx.insertInto('audit_log').values(auditRow(entry)).execute();
}

export class KyselyAuditLog implements AuditLog {
  private readonly db: Db;

  constructor(conn: Connection) {
    this.db = conn.db;
  }

  async append(entry: AuditInput) {
    await appendAuditIn(this.db, entry);
  }

  async list(filter: { subjectUserId?: string; limit: number; beforeId?: number }): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.subjectUserId !== undefined) q = q.where('subject_user_id', '=', filter.subjectUserId);
    if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
    return (await q.execute()).map((r) => ({
      id: Number(r.id),
      at: r.at,
      actorType: r.actor_type as AuditEntry['actorType'],
      actorId: r.actor_id,
      subjectUserId: r.subject_user_id,
      action: r.action,
      target: r.target,
      ip: r.ip,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
}
