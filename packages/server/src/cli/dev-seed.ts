/**
 * `gatehouse dev seed --keys N`: fills a database with N API keys for one owner, fast, so the
 * benchmark's cold-cache scenario can run against a million stored keys. Development only.
 *
 * It makes the same keys `createKey` would (a key plus one secret, stored only as its SHA-256
 * digest), but writes them through the store's bulk operation (`apiKeys.createMany`: multi-row
 * inserts in a few large transactions) instead of one transaction and one audit entry per key;
 * one audit entry records the whole seed. Secrets go to `--secrets-file` (mode 0600) when
 * asked, never to standard output.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { createUser } from '../core/accounts.js';
import { type Actor, audit } from '../core/context.js';
import { issueSecret, publicId } from '../core/credentials.js';
import { assertKnown, createRegistry, normalize } from '../core/scopes.js';
import type { AuditInput } from '../core/model/audit.js';
import type { NewApiKey } from '../store/store.js';
import { parse, str, withRuntime } from './commands.js';
import { type CliIO, UsageError } from './io.js';

export const MAX_SEED_KEYS = 10_000_000;
/** Keys per transaction: large enough to amortize commits, small enough to keep locks short. */
const KEYS_PER_TRANSACTION = 20_000;
const DEFAULT_OWNER = 'seed@example.com';

const USAGE = 'usage: gatehouse dev seed --keys N [--owner EMAIL] [--scopes read] [--secrets-file PATH] [--json]';

const cliActor: Actor = { type: 'cli', id: null, user: null, ip: null };

export interface SeedResult {
  keys: number;
  ownerId: string;
  ms: number;
}

export function parseKeyCount(text: string | undefined): number {
  if (text === undefined) throw new UsageError(`missing --keys\n${USAGE}`);
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_SEED_KEYS) throw new UsageError(`--keys takes a whole number from 1 to ${MAX_SEED_KEYS}`);
  return n;
}

export async function devCommand(config: Config, io: CliIO, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'seed') throw new UsageError(USAGE);
  const p = parse(rest, { keys: { type: 'string' }, owner: { type: 'string' }, scopes: { type: 'string' }, 'secrets-file': { type: 'string' } });
  const count = parseKeyCount(str(p, 'keys'));
  const owner = (str(p, 'owner') ?? DEFAULT_OWNER).trim().toLowerCase();
  const scopes = normalize((str(p, 'scopes') ?? 'read').split(',').map((s) => s.trim()).filter(Boolean));
  if (scopes.length === 0) throw new UsageError('--scopes needs at least one scope');
  const registry = createRegistry(config.scopes);
  assertKnown(registry, scopes);
  const secretsFile = str(p, 'secrets-file');
  // 'wx': never overwrite an existing file (it may hold someone else's secrets).
  const fd = secretsFile === undefined ? undefined : openSync(secretsFile, 'wx', 0o600);
  try {
    const result = await seedKeys(config, { count, owner, scopes, onSecrets: fd === undefined ? undefined : (lines) => writeSync(fd, lines) });
    const rate = Math.round(count / Math.max(result.ms / 1000, 0.001));
    io.out(p.values.json ? JSON.stringify({ keys: count, ms: result.ms }) : `seeded ${count} keys for ${owner} in ${result.ms} ms (${rate} keys/s)`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface SeedInput {
  count: number;
  owner: string;
  scopes: readonly string[];
  /** Receives `key_id<TAB>secret` lines, one chunk at a time. */
  onSecrets?: ((lines: string) => void) | undefined;
}

/** Seeds `count` keys; creates the owner (a regular account with an unusable random password) if missing. */
export async function seedKeys(config: Config, input: SeedInput): Promise<SeedResult> {
  const started = performance.now();
  return withRuntime(config, async (rt) => {
    const existing = await rt.store.accounts.findUserByEmail(input.owner);
    const ownerId = existing
      ? existing.id
      : (await createUser(rt, cliActor, { email: input.owner, password: randomBytes(24).toString('base64url'), admin: false })).id;
    const now = rt.clock.now();
    // One audit entry records the whole seed, with the first batch.
    let entry: AuditInput | null = audit(rt, cliActor, 'api_key.seed', null, ownerId, { keys: input.count, scopes: input.scopes });
    for (let done = 0; done < input.count; ) {
      const size = Math.min(KEYS_PER_TRANSACTION, input.count - done);
      const batch = newKeys({ ownerId, scopes: [...input.scopes], now, first: done, size, prefix: config.prefixes.apiKey });
      await rt.store.apiKeys.createMany(batch.keys, entry);
      // Secrets leave the process only once their keys are committed.
      input.onSecrets?.(batch.lines);
      entry = null;
      done += size;
    }
    return { keys: input.count, ownerId, ms: Math.round(performance.now() - started) };
  });
}

/** `size` new keys with one secret each, as `createKey` makes them, and their `key_id<TAB>secret` lines. */
function newKeys(c: { ownerId: string; scopes: string[]; now: number; first: number; size: number; prefix: string }): { keys: NewApiKey[]; lines: string } {
  const keys: NewApiKey[] = [];
  let lines = '';
  for (let i = 0; i < c.size; i++) {
    const issued = issueSecret(c.prefix);
    const id = publicId('key_');
    keys.push({
      key: { id, ownerId: c.ownerId, name: `seed ${c.first + i + 1}`, scopes: c.scopes, start: issued.start, createdAt: c.now, expiresAt: null, revokedAt: null, lastUsedAt: null },
      secret: { hash: issued.hash, keyId: id, start: issued.start, createdAt: c.now, expiresAt: null },
    });
    lines += `${id}\t${issued.secret}\n`;
  }
  return { keys, lines };
}
