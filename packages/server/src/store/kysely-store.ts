/** The Store on Kysely: one implementation for SQLite and PostgreSQL. */
import { Migrator, sql } from 'kysely';
import { type Connection, type Db, type StoreTarget, appendCredentialEvent, auditRow, connect, isUniqueViolation } from './connect.js';
import { KyselyOAuthStore } from './kysely-oauth-store.js';
import { lastUsedWriter } from './last-used.js';
import { migrationProvider } from './migrations.js';
import { toKey, toUser } from './rows.js';
import { storeStatements } from './statements.js';
import type { ApiKeyRecord, ApiKeySecretRecord, KeyMatch } from '../core/model/api-key.js';
import type { AuditEntry, AuditInput } from '../core/model/audit.js';
import type { CredentialEvent } from '../core/model/credential-event.js';
import type { SigningKeyRecord } from '../core/model/signing-key.js';
import type { InviteRecord, SessionRecord, SignupGate, UserRecord } from '../core/model/user.js';
import type { CreateUserResult, Store } from './store.js';
export class KyselyStore implements Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly oauth: KyselyOAuthStore;
  private readonly db: Db;
  private readonly conn: Connection;
  private readonly q: ReturnType<typeof storeStatements>;
  private readonly writeKeyUsage: (usage: ReadonlyMap<string, number>) => Promise<void>;

  constructor(target: StoreTarget) {
    this.conn = connect(target);
    this.db = this.conn.db;
    this.kind = this.conn.kind;
    this.q = storeStatements(this.db);
    this.writeKeyUsage = lastUsedWriter(this.conn, 'api_keys');
    this.oauth = new KyselyOAuthStore(this.conn);
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.kind) });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  async createUser(input: Omit<UserRecord, 'isAdmin'> & { admin: boolean | 'if-first'; gate: SignupGate }, audit: AuditInput): Promise<CreateUserResult> {
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
        await trx.insertInto('audit_log').values(auditRow({ ...audit, detail: { ...audit.detail, admin: isAdmin } })).execute();
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
      await trx.insertInto('audit_log').values(auditRow(audit)).execute();
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

  async createApiKey(key: ApiKeyRecord, secret: ApiKeySecretRecord, audit: AuditInput) {
    await this.conn.write(async (trx) => {
      await trx
        .insertInto('api_keys')
        .values({
          id: key.id,
          owner_id: key.ownerId,
          name: key.name,
          scopes: key.scopes.join(' '),
          start: key.start,
          created_at: key.createdAt,
          expires_at: key.expiresAt,
          revoked_at: key.revokedAt,
          last_used_at: key.lastUsedAt,
        })
        .execute();
      await trx
        .insertInto('api_key_secrets')
        .values({ hash: secret.hash, key_id: key.id, start: secret.start, created_at: secret.createdAt, expires_at: secret.expiresAt })
        .execute();
      await trx.insertInto('audit_log').values(auditRow(audit)).execute();
    });
  }

  async listApiKeys(filter: { ownerId?: string }) {
    let q = this.db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (filter.ownerId !== undefined) q = q.where('owner_id', '=', filter.ownerId);
    return (await q.execute()).map(toKey);
  }

  async getApiKey(id: string) {
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toKey(r);
  }

  async findApiKeyBySecretHash(hash: string): Promise<KeyMatch | undefined> {
    const [r] = await this.conn.read(this.q.keyBySecret, [hash]);
    if (!r) return undefined;
    return {
      key: toKey(r),
      secret: { hash: r.hash, keyId: r.id, start: r.s_start, createdAt: r.s_created, expiresAt: r.s_expires },
    };
  }

  async revokeApiKey(id: string, at: number, audit: AuditInput) {
    return this.conn.write(async (trx) => {
      const current = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      if (!current) return undefined;
      if (current.revoked_at === null) {
        await trx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).execute();
        await appendCredentialEvent(this.kind, trx, id, at);
        await trx.insertInto('audit_log').values(auditRow(audit)).execute();
      }
      return toKey({ ...current, revoked_at: current.revoked_at ?? at });
    });
  }

  async rollApiKey(id: string, secret: ApiKeySecretRecord, retireAt: number, audit: AuditInput) {
    return this.conn.write(async (trx) => {
      const current = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      if (!current || current.revoked_at !== null) return undefined;
      await trx
        .updateTable('api_key_secrets')
        .set({ expires_at: retireAt })
        .where('key_id', '=', id)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', retireAt)]))
        .execute();
      await trx
        .insertInto('api_key_secrets')
        .values({ hash: secret.hash, key_id: id, start: secret.start, created_at: secret.createdAt, expires_at: null })
        .execute();
      await trx.updateTable('api_keys').set({ start: secret.start }).where('id', '=', id).execute();
      await appendCredentialEvent(this.kind, trx, id, secret.createdAt);
      await trx.insertInto('audit_log').values(auditRow(audit)).execute();
      return toKey({ ...current, start: secret.start });
    });
  }

  async recordKeyUsage(usage: ReadonlyMap<string, number>) {
    await this.writeKeyUsage(usage);
  }

  async credentialEventsSince(seq: number): Promise<CredentialEvent[]> {
    const rows = await this.db
      .selectFrom('credential_events')
      .select(['seq', 'key_id'])
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(1000)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), keyId: r.key_id }));
  }

  async latestCredentialEventSeq() {
    const r = await this.db
      .selectFrom('credential_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(r?.seq ?? 0);
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('activates_at').orderBy('created_at').execute();
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg,
      publicJwk: r.public_jwk,
      privateSealed: r.private_sealed,
      createdAt: r.created_at,
      activatesAt: r.activates_at,
    }));
  }

  async addSigningKey(key: SigningKeyRecord, audit: AuditInput) {
    await this.conn.write(async (trx) => {
      await trx
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          public_jwk: key.publicJwk,
          private_sealed: key.privateSealed,
          created_at: key.createdAt,
          activates_at: key.activatesAt,
        })
        .execute();
      await trx.insertInto('audit_log').values(auditRow(audit)).execute();
    });
  }

  async appendAudit(entry: AuditInput) {
    await this.db.insertInto('audit_log').values(auditRow(entry)).execute();
  }

  async listAudit(filter: { subjectUserId?: string; limit: number; beforeId?: number }): Promise<AuditEntry[]> {
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

export function openStore(target: StoreTarget): Store {
  return new KyselyStore(target);
}
