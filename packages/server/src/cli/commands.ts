/** The `gatehouse` subcommands that work on the store directly (users, invites, keys). */
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { createInvite, createUser } from '../core/accounts.js';
import { parseDuration } from '../core/clock.js';
import type { Actor } from '../core/context.js';
import type { Runtime } from '../core/runtime.js';
import { notFound } from '../core/errors.js';
import { createKey, getManagedKey, keyStatus, revokeKey, rollKey } from '../core/keys.js';
import { createLogger } from '../log.js';
import { buildRuntime } from '../runtime.js';
import type { ApiKeyRecord } from '../core/model/api-key.js';
import type { UserRecord } from '../core/model/user.js';
import { type CliIO, UsageError } from './io.js';

type Flags = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

interface Parsed {
  values: { [flag: string]: string | boolean | undefined; json?: boolean };
  positionals: string[];
}

export function parse(args: string[], options: Flags): Parsed {
  try {
    const r = parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A string flag's value (parseArgs guarantees the type for flags declared as strings). */
export const str = (p: Parsed, flag: string): string | undefined => {
  const v = p.values[flag];
  return typeof v === 'string' ? v : undefined;
};

/**
 * Runs `fn` with a runtime on the configured database, as the server builds it but without
 * starting it (no key generation, no polls). Warnings go to stderr: stdout is the command's.
 */
export async function withRuntime<T>(config: Config, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await buildRuntime(config, { logger: createLogger(config.logLevel, (line) => process.stderr.write(line)) });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** The CLI acts as the system administrator. */
const cliActor = (): Actor => ({ type: 'cli', id: null, user: { id: 'cli', email: 'cli', passwordHash: '', isAdmin: true, createdAt: 0 }, ip: null });

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing ${flag}`);
  return value;
}

export function duration(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`${flag} takes a duration such as 0, 30m, 1h, 24h, 7d or 30d`);
  return ms;
}

async function userByEmail(rt: Runtime, email: string): Promise<UserRecord> {
  const user = await rt.store.accounts.findUserByEmail(email.trim().toLowerCase());
  if (!user) throw notFound(`No account with email ${email}`);
  return user;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function keyJson(k: ApiKeyRecord, now: number) {
  return {
    key_id: k.id,
    name: k.name,
    owner_id: k.ownerId,
    scopes: k.scopes,
    start: k.start,
    status: keyStatus(k, now),
    created_at: iso(k.createdAt),
    last_used_at: iso(k.lastUsedAt),
    expires_at: iso(k.expiresAt),
    revoked_at: iso(k.revokedAt),
  };
}

export async function usersCommand(config: Config, io: CliIO, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const p = parse(rest, { email: { type: 'string' }, 'password-stdin': { type: 'boolean' }, admin: { type: 'boolean' } });
    const { values } = p;
    if (!values['password-stdin']) throw new UsageError('users create reads the password from standard input: pass --password-stdin');
    const email = required(str(p, 'email'), '--email');
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    const user = await withRuntime(config, (rt) => createUser(rt, cliActor(), { email, password, admin: values.admin === true ? true : 'if-first' }));
    io.out(values.json ? JSON.stringify({ id: user.id, email: user.email, admin: user.isAdmin }) : `created ${user.email} (${user.id})${user.isAdmin ? ' as admin' : ''}`);
    return;
  }
  if (sub === 'invite') {
    const p = parse(rest, { email: { type: 'string' }, 'expires-in': { type: 'string' } });
    const { values } = p;
    const ttl = duration(str(p, 'expires-in') ?? '7d', '--expires-in');
    const invite = await withRuntime(config, (rt) => createInvite(rt, cliActor(), str(p, 'email') ?? null, ttl));
    const url = `${config.issuer}/console/signup?invite=${invite.token}`;
    io.out(values.json ? JSON.stringify({ url, invite: invite.token, expires_at: iso(invite.expiresAt) }) : `invite link (valid until ${iso(invite.expiresAt)}):\n${url}`);
    return;
  }
  throw new UsageError('usage: gatehouse users create --email EMAIL --password-stdin [--admin] | users invite [--email EMAIL] [--expires-in 7d]');
}

export async function keysCommand(config: Config, io: CliIO, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const actor = cliActor();
  switch (sub) {
    case 'create': {
      const p = parse(rest, { owner: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' }, 'expires-in': { type: 'string' } });
      const { values } = p;
      const owner = required(str(p, 'owner'), '--owner');
      const name = required(str(p, 'name'), '--name');
      const scopes = required(str(p, 'scopes'), '--scopes').split(',').map((s) => s.trim()).filter(Boolean);
      const expiresIn = str(p, 'expires-in');
      const ttl = expiresIn === undefined ? null : duration(expiresIn, '--expires-in');
      const { key, secret } = await withRuntime(config, async (rt) => {
        const user = await userByEmail(rt, owner);
        return createKey(rt, actor, { ownerId: user.id, name, scopes, expiresAt: ttl === null ? null : rt.clock.now() + ttl });
      });
      if (values.json) io.out(JSON.stringify({ key_id: key.id, key: secret, scopes: key.scopes, expires_at: iso(key.expiresAt) }));
      else io.out(`created ${key.id} (${key.scopes.join(' ')})\nkey (shown once): ${secret}`);
      return;
    }
    case 'list': {
      const p = parse(rest, { owner: { type: 'string' } });
      const { values } = p;
      const owner = str(p, 'owner');
      const { keys, now } = await withRuntime(config, async (rt) => {
        const ownerId = owner ? (await userByEmail(rt, owner)).id : undefined;
        return { keys: await rt.store.apiKeys.list(ownerId ? { ownerId } : {}), now: rt.clock.now() };
      });
      if (values.json) io.out(JSON.stringify(keys.map((k) => keyJson(k, now))));
      else if (keys.length === 0) io.out('no keys');
      else io.out(keys.map((k) => `${k.id}\t${keyStatus(k, now)}\t${k.start}…\t${k.scopes.join(',')}\t${k.name}`).join('\n'));
      return;
    }
    case 'revoke': {
      const { values, positionals } = parse(rest, {});
      const keyId = required(positionals[0], 'KEY_ID');
      const { key, now } = await withRuntime(config, async (rt) => ({ key: await revokeKey(rt, actor, keyId), now: rt.clock.now() }));
      io.out(values.json ? JSON.stringify(keyJson(key, now)) : `revoked ${key.id}`);
      return;
    }
    case 'roll': {
      const p = parse(rest, { grace: { type: 'string' } });
      const { values, positionals } = p;
      const keyId = required(positionals[0], 'KEY_ID');
      const graceText = str(p, 'grace') ?? '0';
      const grace = duration(graceText, '--grace');
      const { key, secret } = await withRuntime(config, async (rt) => {
        await getManagedKey(rt, actor, keyId);
        return rollKey(rt, actor, keyId, grace);
      });
      if (values.json) io.out(JSON.stringify({ key_id: key.id, key: secret, scopes: key.scopes, expires_at: iso(key.expiresAt), grace_seconds: grace / 1000 }));
      else io.out(`rolled ${key.id}; ${grace === 0 ? 'the old secret has stopped working' : `the old secret keeps working for ${graceText}`}\nnew key (shown once): ${secret}`);
      return;
    }
    default:
      throw new UsageError(
        'usage: gatehouse keys create --owner EMAIL --name NAME --scopes read,write [--expires-in 30d] | keys list [--owner EMAIL] | keys revoke KEY_ID | keys roll KEY_ID [--grace 1h] (default 0: the old secret stops at once)',
      );
  }
}
