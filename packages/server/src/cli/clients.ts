/** `gatehouse clients`: register OAuth applications for an account and list them. */
import type { Config } from '../config.js';
import type { Actor } from '../core/context.js';
import type { Runtime } from '../core/runtime.js';
import { notFound } from '../core/errors.js';
import { DEFAULT_REFRESH_GRACE_SECONDS, createClient } from '../core/oauth/clients.js';
import type { ClientRecord } from '../core/model/client.js';
import type { UserRecord } from '../core/model/user.js';
import { parse, str, withRuntime } from './commands.js';
import { type CliIO, UsageError } from './io.js';

const USAGE =
  `usage: gatehouse clients create --owner EMAIL --name NAME --redirect-uri URI [--redirect-uri URI…] --scopes read,write [--public] [--jwt-access-tokens] [--refresh-grace-seconds 0-300] (default ${DEFAULT_REFRESH_GRACE_SECONDS}; 0: strict rotation) | clients list [--owner EMAIL]`;

/** The CLI acts as the system administrator. */
const cliActor: Actor = { type: 'cli', id: null, user: { id: 'cli', email: 'cli', passwordHash: '', isAdmin: true, createdAt: 0 }, ip: null };

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing ${flag}`);
  return value;
}

async function userByEmail(rt: Runtime, email: string): Promise<UserRecord> {
  const user = await rt.store.accounts.findUserByEmail(email.trim().toLowerCase());
  if (!user) throw notFound(`No account with email ${email}`);
  return user;
}

/** A repeatable string flag's values (parseArgs gives an array for `multiple: true`). */
function all(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const iso = (ms: number) => new Date(ms).toISOString();

function clientJson(c: ClientRecord) {
  return {
    client_id: c.id,
    owner_id: c.ownerId,
    name: c.name,
    type: c.type,
    redirect_uris: c.redirectUris,
    scopes: c.scopes,
    jwt_access_tokens: c.jwtAccessTokens,
    refresh_grace_seconds: c.refreshGraceSeconds,
    client_secret_start: c.secretStart,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export async function clientsCommand(config: Config, io: CliIO, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const p = parse(rest, {
        owner: { type: 'string' },
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        scopes: { type: 'string' },
        public: { type: 'boolean' },
        'jwt-access-tokens': { type: 'boolean' },
        'refresh-grace-seconds': { type: 'string' },
      });
      const owner = required(str(p, 'owner'), '--owner');
      const name = required(str(p, 'name'), '--name');
      const redirectUris = all(p.values['redirect-uri']);
      if (redirectUris.length === 0) throw new UsageError('missing --redirect-uri (repeat it for several)');
      const scopes = required(str(p, 'scopes'), '--scopes').split(',').map((s) => s.trim()).filter(Boolean);
      if (scopes.length === 0) throw new UsageError('--scopes takes a comma-separated list such as read,write');
      const graceText = str(p, 'refresh-grace-seconds');
      const grace = graceText === undefined ? DEFAULT_REFRESH_GRACE_SECONDS : Number(graceText);
      if (graceText !== undefined && (graceText.trim() === '' || !Number.isInteger(grace))) throw new UsageError('--refresh-grace-seconds takes a whole number of seconds (0–300)');
      const type = p.values.public === true ? 'public' : 'confidential';
      const { client, secret } = await withRuntime(config, async (rt) => {
        const user = await userByEmail(rt, owner);
        return createClient(rt, cliActor, user.id, type, {
          name,
          redirectUris,
          scopes,
          jwtAccessTokens: p.values['jwt-access-tokens'] === true,
          refreshGraceSeconds: grace,
        });
      });
      if (p.values.json) io.out(JSON.stringify(secret === null ? { client_id: client.id } : { client_id: client.id, client_secret: secret }));
      else io.out(`created ${type} application ${client.id} (${client.scopes.join(' ')})${secret === null ? '\nno secret: a public client uses PKCE' : `\nclient secret (shown once): ${secret}`}`);
      return;
    }
    case 'list': {
      const p = parse(rest, { owner: { type: 'string' } });
      const owner = str(p, 'owner');
      const clients = await withRuntime(config, async (rt) => rt.store.oauth.clients.list(owner ? (await userByEmail(rt, owner)).id : undefined));
      if (p.values.json) io.out(JSON.stringify(clients.map(clientJson)));
      else if (clients.length === 0) io.out('no applications');
      else io.out(clients.map((c) => `${c.id}\t${c.type}\t${c.scopes.join(',')}\t${c.name}\t${c.redirectUris.join(' ')}`).join('\n'));
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
}
