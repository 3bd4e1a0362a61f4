/**
 * What the start-up log line tells an operator: where to go (the URL it listens on, the console)
 * and where things live (the database, the data directory, the server secret's source). Only
 * locations: never a password from DATABASE_URL, never the secret itself.
 */
import type { Config } from './config.js';
import { serverSecretPath } from './server-secret.js';
import type { StoreTarget } from './store/connect.js';

export function startupSummary(config: Config, url: string): Record<string, unknown> {
  return {
    url,
    issuer: config.issuer,
    console: `${config.issuer}/console`,
    ...describeDatabase(config.database),
    data_dir: config.dataDir,
    ...(config.secret !== null ? { secret_source: 'GATEHOUSE_SECRET' } : { secret_source: 'file', secret_file: serverSecretPath(config) }),
    metrics: config.metricsToken !== null ? `${config.issuer}/metrics` : 'off',
  };
}

/** The SQLite file, or PostgreSQL's host, port and database name (no user, no password). */
export function describeDatabase(target: StoreTarget): Record<string, string> {
  if ('sqlitePath' in target) return { database: 'sqlite', database_file: target.sqlitePath };
  let url: URL;
  try {
    url = new URL(target.postgresUrl);
  } catch {
    return { database: 'postgres', database_host: '(unparsable DATABASE_URL)' };
  }
  // libpq also takes the host (a socket directory, say) and the database from the query string.
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const port = url.port || url.searchParams.get('port') || '5432';
  const name = url.pathname.replace(/^\//, '') || url.searchParams.get('dbname') || '(the user name)';
  return { database: 'postgres', database_host: `${host}:${port}`, database_name: name };
}
