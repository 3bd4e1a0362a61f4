/**
 * API keys on Kysely: a key and its secrets (digests only). The lookup of a secret is the
 * hot path: one indexed read, compiled once, on the read connection. Revoking and rolling
 * each run in one write transaction with their credential event and audit entry; last-used
 * times arrive in batches (last-used.ts).
 */
import type { ApiKeyRecord, ApiKeySecretRecord, KeyMatch } from '../core/model/api-key.js';
import type { AuditInput } from '../core/model/audit.js';
import { appendAuditIn } from './audit.js';
import type { Connection, Db } from './connect.js';
import { appendCredentialEvent } from './credential-events.js';
import { lastUsedWriter } from './last-used.js';
import { prepare } from './prepared.js';
import { type Row, split } from './schema.js';
import type { ApiKeyStore, NewApiKey } from './store.js';

/** Rows per INSERT of `createMany`: 9 columns × 1000 rows stays far below both engines' bound-parameter limits. */
const ROWS_PER_INSERT = 1_000;

const toKey = (r: Row<'api_keys'>): ApiKeyRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  scopes: split(r.scopes),
  start: r.start,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

const keyRow = (k: ApiKeyRecord): Row<'api_keys'> => ({
  id: k.id,
  owner_id: k.ownerId,
  name: k.name,
  scopes: k.scopes.join(' '),
  start: k.start,
  created_at: k.createdAt,
  expires_at: k.expiresAt,
  revoked_at: k.revokedAt,
  last_used_at: k.lastUsedAt,
});

const secretRow = (s: ApiKeySecretRecord): Row<'api_key_secrets'> => ({
  hash: s.hash,
  key_id: s.keyId,
  start: s.start,
  created_at: s.createdAt,
  expires_at: s.expiresAt,
});

const statements = (db: Db) => ({
  keyBySecret: prepare(($) =>
    db
      .selectFrom('api_key_secrets as s')
      .innerJoin('api_keys as k', 'k.id', 's.key_id')
      .selectAll('k')
      .select(['s.hash', 's.start as s_start', 's.created_at as s_created', 's.expires_at as s_expires'])
      .where('s.hash', '=', $(0)),
  ),
});

export class KyselyApiKeyStore implements ApiKeyStore {
  private readonly db: Db;
  private readonly q: ReturnType<typeof statements>;
  private readonly writeUsage: (usage: ReadonlyMap<string, number>) => Promise<void>;

  constructor(private readonly conn: Connection) {
    this.db = conn.db;
    this.q = statements(conn.db);
    this.writeUsage = lastUsedWriter(conn, 'api_keys');
  }

  async create(key: ApiKeyRecord, secret: ApiKeySecretRecord, audit: AuditInput) {
    await this.conn.write(async (trx) => {
      await trx.insertInto('api_keys').values(keyRow(key)).execute();
      await trx.insertInto('api_key_secrets').values(secretRow({ ...secret, keyId: key.id })).execute();
      await appendAuditIn(trx, audit);
    });
  }

  async createMany(keys: readonly NewApiKey[], audit: AuditInput | null) {
    await this.conn.write(async (trx) => {
      // Multi-row inserts: a single row per statement would cost a round trip each on PostgreSQL.
      for (let i = 0; i < keys.length; i += ROWS_PER_INSERT) {
        const chunk = keys.slice(i, i + ROWS_PER_INSERT);
        await trx.insertInto('api_keys').values(chunk.map((k) => keyRow(k.key))).execute();
        await trx.insertInto('api_key_secrets').values(chunk.map((k) => secretRow({ ...k.secret, keyId: k.key.id }))).execute();
      }
      if (audit) await appendAuditIn(trx, audit);
    });
  }

  async list(filter: { ownerId?: string }) {
    let q = this.db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (filter.ownerId !== undefined) q = q.where('owner_id', '=', filter.ownerId);
    return (await q.execute()).map(toKey);
  }

  async get(id: string) {
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toKey(r);
  }

  async findBySecretHash(hash: string): Promise<KeyMatch | undefined> {
    const [r] = await this.conn.read(this.q.keyBySecret, [hash]);
    if (!r) return undefined;
    return {
      key: toKey(r),
      secret: { hash: r.hash, keyId: r.id, start: r.s_start, createdAt: r.s_created, expiresAt: r.s_expires },
    };
  }

  async revoke(id: string, at: number, audit: AuditInput) {
    return this.conn.write(async (trx) => {
      const current = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      if (!current) return undefined;
      if (current.revoked_at === null) {
        await trx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).execute();
        await appendCredentialEvent(this.conn.kind, trx, id, at);
        await appendAuditIn(trx, audit);
      }
      return toKey({ ...current, revoked_at: current.revoked_at ?? at });
    });
  }

  async roll(id: string, secret: ApiKeySecretRecord, retireAt: number, audit: AuditInput) {
    return this.conn.write(async (trx) => {
      const current = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      if (!current || current.revoked_at !== null) return undefined;
      await trx
        .updateTable('api_key_secrets')
        .set({ expires_at: retireAt })
        .where('key_id', '=', id)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', retireAt)]))
        .execute();
      await trx.insertInto('api_key_secrets').values(secretRow({ ...secret, keyId: id, expiresAt: null })).execute();
      await trx.updateTable('api_keys').set({ start: secret.start }).where('id', '=', id).execute();
      await appendCredentialEvent(this.conn.kind, trx, id, secret.createdAt);
      await appendAuditIn(trx, audit);
      return toKey({ ...current, start: secret.start });
    });
  }

  async recordUsage(usage: ReadonlyMap<string, number>) {
    await this.writeUsage(usage);
  }
}
