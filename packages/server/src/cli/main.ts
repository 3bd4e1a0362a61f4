/** The `gatehouse` command. Secrets are never taken from argv (they would show in `ps` and shell history). */
import { ConfigError, loadConfig } from '../config.js';
import { GatehouseError } from '../core/errors.js';
import { DEFAULT_REFRESH_GRACE_SECONDS } from '../core/oauth/clients.js';
import { describeError } from '../log.js';
import { openStore } from '../store/kysely-store.js';
import { startServer } from '../server.js';
import { backupCommand } from './backup.js';
import { clientsCommand } from './clients.js';
import { keysCommand, usersCommand } from './commands.js';
import { type CliIO, UsageError, processIO } from './io.js';
import { signingKeysCommand } from './signing-keys.js';
import { devCommand } from './dev-seed.js';
import { loginCommand } from './login.js';
import { tokenCommand } from './token.js';

const HELP = `gatehouse — authentication and authorization for API platforms

Usage:
  gatehouse serve                      start the server (migrations run first)
  gatehouse migrate                    apply database migrations and exit
  gatehouse backup --out FILE [--force]   online copy of the SQLite database (PostgreSQL: use pg_dump)
  gatehouse users create --email EMAIL --password-stdin [--admin]   (the first account is always admin)
  gatehouse users invite [--email EMAIL] [--expires-in 7d]
  gatehouse keys create --owner EMAIL --name NAME --scopes read,write [--expires-in 30d]
  gatehouse keys list [--owner EMAIL]
  gatehouse keys revoke KEY_ID
  gatehouse keys roll KEY_ID [--grace 1h]   (default 0: the old secret stops at once)
  gatehouse clients create --owner EMAIL --name NAME --redirect-uri URI [--redirect-uri URI…] --scopes read,write [--public] [--jwt-access-tokens] [--refresh-grace-seconds N]   (refresh reuse window, default ${DEFAULT_REFRESH_GRACE_SECONDS} s; 0: strict rotation)
  gatehouse clients list [--owner EMAIL]
  gatehouse signing-keys list
  gatehouse signing-keys rotate [--delay 10m] [--alg ES256|EdDSA]
  gatehouse token --key-id ID --scopes read,write [--url URL]   (secret from GATEHOUSE_KEY_SECRET; prints the raw JSON of POST /v0/auth)
  gatehouse dev seed --keys N [--owner EMAIL] [--scopes read] [--secrets-file PATH]   (fill a database for benchmarks)
  gatehouse login --client-id APP [--scopes read,write] [--url URL] [--store FILE] [--no-open]   (OAuth sign-in through the browser)

Every command accepts --json for machine-readable output.
Configuration comes from environment variables; see the README.`;

export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      io.out(HELP);
      return command ? 0 : 2;
    }
    const config = loadConfig(io.env);
    switch (command) {
      case 'serve': {
        const server = await startServer(config);
        // The first signal drains (server.close: requests in flight finish within the shutdown
        // timeout, pending usage is written, the store closed) and exits 0; a second one exits at once.
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) {
            server.runtime.log.warn('second signal: exiting without finishing the shutdown', { signal });
            process.exit(1);
          }
          stopping = true;
          server.runtime.log.info('signal received', { signal });
          server.close().then(
            () => process.exit(0),
            (err: unknown) => {
              server.runtime.log.error('shutdown failed', describeError(err));
              process.exit(1);
            },
          );
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        return -1;
      }
      case 'migrate': {
        const store = openStore(config.database);
        try {
          await store.migrate();
        } finally {
          await store.close();
        }
        io.out(rest.includes('--json') ? JSON.stringify({ migrated: true, database: store.kind }) : `migrations applied (${store.kind})`);
        return 0;
      }
      case 'backup':
        await backupCommand(config, io, rest);
        return 0;
      case 'users':
        await usersCommand(config, io, rest);
        return 0;
      case 'keys':
        await keysCommand(config, io, rest);
        return 0;
      case 'clients':
        await clientsCommand(config, io, rest);
        return 0;
      case 'signing-keys':
        await signingKeysCommand(config, io, rest);
        return 0;
      case 'token':
        return await tokenCommand(config, io, rest);
      case 'login':
        await loginCommand(config, io, rest);
        return 0;
      case 'dev':
        await devCommand(config, io, rest);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"\n\n${HELP}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 2;
    }
    if (err instanceof GatehouseError && err.expose) {
      io.err(`error: ${err.detail}`);
      return 1;
    }
    io.err(`error: ${(err as Error).message ?? 'unexpected failure'}`);
    return 1;
  }
}
