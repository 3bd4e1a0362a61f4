/**
 * JWT signing keys on Kysely: the public JWK in clear, the private key sealed by core before it
 * gets here. Keys are only ever added (a rotation adds one that activates later) and read
 * whole: the keyset is small and every instance reloads it periodically.
 */
import type { AuditInput } from '../core/model/audit.js';
import type { SigningKeyRecord } from '../core/model/signing-key.js';
import { appendAuditIn } from './audit.js';
import type { Connection, Db } from './connect.js';
import type { SigningKeyStore } from './store.js';

export class KyselySigningKeyStore implements SigningKeyStore {
  private readonly db: Db;

  constructor(private readonly conn: Connection) {
    this.db = conn.db;
  }

  async list(): Promise<SigningKeyRecord[]> {
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

  async add(key: SigningKeyRecord, audit: AuditInput) {
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
      await appendAuditIn(trx, audit);
    });
  }
}
