/**
 * Accounts on Kysely: users, their console sessions, and invites. A new user is created
 * atomically with its sign-up gate (first account, invite) in one write transaction; the
 * session and user reads on the hot path are compiled once (prepared.ts).
 */
import type { AuditInput } from '../core/model/audit.js';
import type { InviteRecord, SessionRecord, UserRecord } from '../core/model/user.js';
import { appendAuditIn } from './audit.js';
import { type Connection, type Db, isUniqueViolation } from './connect.js';
import { prepare } from './prepared.js';
import type { Row } from './schema.js';
import type { AccountStore, CreateUserResult, NewUserRecord } from './store.js';

const toUser = (r: Row<'users'>): UserRecord => ({
  id: r.id,
  email: r.email,
  passwordHash: r.password_hash,
  isAdmin: r.is_admin === 1,
  createdAt: r.created_at,
});

const statements = (db: Db) => ({
  user: prepare(($) => db.selectFrom('users').selectAll().where('id', '=', $(0))),
  session: prepare(($) =>
    db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.token_hash', 'sessions.created_at as s_created', 'sessions.expires_at as s_expires'])
      .where('sessions.token_hash', '=', $(0))
      .where('sessions.expires_at', '>', $(1)),
  ),
});

export class KyselyAccountStore implements AccountStore {
  private readonly db: Db;
  private readonly q: ReturnType<typeof statements>;

  constructor(private readonly conn: Connection) {
    this.db = conn.db;
    this.q = statements(conn.db);
  }

  async createUser(input: NewUserRecord, audit: AuditInput): Promise<CreateUserResult> {
    try {
      return await this.conn.write(async (trx): Promise<CreateUserResult> => {
        const first = (await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()) === undefined;
        const { gate } = input;
        if (gate.kind === 'first-only' && !first) return { status: 'signup-closed' };
        if (gate.kind === 'invite' && !first) {
          const used = await trx
            .updateTable('invites')
            .set({ used_at: input.createdAt })
            .where('hash', '=', gate.inviteHash)
            .where('used_at', 'is', null)
            .where('expires_at', '>', input.createdAt)
            .where((eb) => eb.or([eb('email', 'is', null), eb('email', '=', input.email)]))
            .executeTakeFirst();
          if (Number(used.numUpdatedRows) !== 1) return { status: 'invite-invalid' };
        }
        const isAdmin = input.admin === 'if-first' ? first : input.admin;
        const row = {
          id: input.id,
          email: input.email,
          password_hash: input.passwordHash,
          is_admin: isAdmin ? 1 : 0,
          created_at: input.createdAt,
        };
        await trx.insertInto('users').values(row).execute();
        await appendAuditIn(trx, { ...audit, detail: { ...audit.detail, admin: isAdmin } });
        return { status: 'created', user: toUser(row) };
      });
    } catch (err) {
      // The unique index decides, also between concurrent sign-ups: the transaction rolled back.
      if (isUniqueViolation(err)) return { status: 'email-taken' };
      throw err;
    }
  }

  async createInvite(invite: InviteRecord, audit: AuditInput) {
    await this.conn.write(async (trx) => {
      await trx
        .insertInto('invites')
        .values({ hash: invite.hash, email: invite.email, created_at: invite.createdAt, expires_at: invite.expiresAt, used_at: null })
        .execute();
      await appendAuditIn(trx, audit);
    });
  }

  async findUserByEmail(email: string) {
    const r = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return r && toUser(r);
  }

  async getUser(id: string) {
    const [r] = await this.conn.read(this.q.user, [id]);
    return r && toUser(r);
  }

  async createSession(s: SessionRecord) {
    await this.db
      .insertInto('sessions')
      .values({ token_hash: s.tokenHash, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt })
      .execute();
  }

  async findSession(tokenHash: string, now: number) {
    const [r] = await this.conn.read(this.q.session, [tokenHash, now]);
    if (!r) return undefined;
    return {
      session: { tokenHash: r.token_hash, userId: r.id, createdAt: r.s_created, expiresAt: r.s_expires },
      user: toUser(r),
    };
  }

  async deleteSession(tokenHash: string) {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }
}
