/** The store's hot-path statements, compiled once (see prepared.ts). */
import type { Db } from './connect.js';
import { prepare } from './prepared.js';

/** The queries on the hot paths (credential and session checks), compiled once. */
export const storeStatements = (db: Db) => ({
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
  keyBySecret: prepare(($) =>
    db
      .selectFrom('api_key_secrets as s')
      .innerJoin('api_keys as k', 'k.id', 's.key_id')
      .selectAll('k')
      .select(['s.hash', 's.start as s_start', 's.created_at as s_created', 's.expires_at as s_expires'])
      .where('s.hash', '=', $(0)),
  ),
});
