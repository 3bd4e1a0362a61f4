/**
 * The Store on Kysely, for SQLite and PostgreSQL: one connection (pool) shared by one
 * implementation per aggregate, each holding its statements and row mapping (accounts.ts,
 * api-keys.ts, …, oauth/*.ts). This root only assembles them and owns the schema and the
 * connection's life.
 */
import { Migrator, sql } from 'kysely';
import { KyselyAccountStore } from './accounts.js';
import { KyselyApiKeyStore } from './api-keys.js';
import { KyselyAuditLog } from './audit.js';
import { type Connection, type Db, type PoolStats, type StoreTarget, connect } from './connect.js';
import { KyselyCredentialEventLog } from './credential-events.js';
import { migrationProvider } from './migrations.js';
import { KyselyClientStore } from './oauth/clients.js';
import { KyselyAuthCodeStore } from './oauth/codes.js';
import { KyselyConsentStore } from './oauth/consents.js';
import { KyselyGrantStore } from './oauth/grants.js';
import type { OAuthStore } from './oauth/store.js';
import { KyselyTokenStore } from './oauth/tokens.js';
import { KyselySigningKeyStore } from './signing-keys.js';
import type { Store } from './store.js';

export class KyselyStore implements Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly accounts: KyselyAccountStore;
  readonly apiKeys: KyselyApiKeyStore;
  readonly signingKeys: KyselySigningKeyStore;
  readonly audit: KyselyAuditLog;
  readonly events: KyselyCredentialEventLog;
  readonly oauth: OAuthStore;
  private readonly db: Db;
  private readonly conn: Connection;

  constructor(target: StoreTarget) {
    this.conn = connect(target);
    this.db = this.conn.db;
    this.kind = this.conn.kind;
    this.accounts = new KyselyAccountStore(this.conn);
    this.apiKeys = new KyselyApiKeyStore(this.conn);
    this.signingKeys = new KyselySigningKeyStore(this.conn);
    this.audit = new KyselyAuditLog(this.conn);
    this.events = new KyselyCredentialEventLog(this.conn);
    const tokens = new KyselyTokenStore(this.conn);
    this.oauth = {
      clients: new KyselyClientStore(this.conn),
      consents: new KyselyConsentStore(this.conn),
      codes: new KyselyAuthCodeStore(this.conn),
      // A grant starts with its first tokens, written in its transaction by the token store's statements.
      grants: new KyselyGrantStore(this.conn, tokens.insertIn),
      tokens,
    };
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.kind) });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  poolStats(): PoolStats | null {
    return this.conn.poolStats();
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}

export function openStore(target: StoreTarget): Store {
  return new KyselyStore(target);
}
