/** `gatehouse dev seed`: fast batch inserts of API keys that the real verify path accepts. */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devCommand } from '../../packages/server/src/cli/dev-seed.js';
import type { CliIO } from '../../packages/server/src/cli/io.js';
import { UsageError } from '../../packages/server/src/cli/io.js';
import { loadConfig } from '../../packages/server/src/config.js';
import { displayStart, hashSecret } from '../../packages/server/src/core/credentials.js';
import { startServer } from '../../packages/server/src/server.js';
import { silentLogger } from '../../packages/server/src/log.js';
import { BACKENDS, type BackendTarget } from '../../packages/server/test/helpers/backends.js';
import { useStore } from '../../packages/server/test/helpers/store.js';

interface Seeded {
  out: string[];
  lines: { keyId: string; secret: string }[];
}

describe.each(BACKENDS)('gatehouse dev seed on $name', (backend) => {
  // Not migrated here: `dev seed` applies the schema itself.
  const db = useStore(backend, { migrate: false });
  let files = 0;

  const seed = async (t: BackendTarget, args: string[], secretsFile = join(t.dataDir, `secrets-${++files}.tsv`)): Promise<Seeded> => {
    const out: string[] = [];
    const io: CliIO = { env: t.env, out: (s) => out.push(s), err: (s) => out.push(s), readStdin: async () => '' };
    await devCommand(loadConfig(t.env), io, ['seed', ...args, '--secrets-file', secretsFile]);
    const lines = readFileSync(secretsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [keyId = '', secret = ''] = l.split('\t');
        return { keyId, secret };
      });
    return { out, lines };
  };

  it('creates the owner and N keys, writing each secret once to a private file', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const file = join(target.dataDir, 'first.tsv');
    const { out, lines } = await seed(target, ['--keys', '2500', '--owner', 'Seed@Example.com', '--scopes', 'read,write', '--json'], file);
    const report = JSON.parse(out.join('')) as { keys: number; ms: number };
    expect(report.keys).toBe(2500);
    expect(report.ms).toBeGreaterThanOrEqual(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(lines).toHaveLength(2500);
    expect(new Set(lines.map((l) => l.keyId)).size).toBe(2500);
    expect(new Set(lines.map((l) => l.secret)).size).toBe(2500);
    for (const l of lines) expect(l.secret).toMatch(/^sk_[0-9A-Za-z]{36}$/);

    const owner = await store.accounts.findUserByEmail('seed@example.com');
    expect(owner?.isAdmin).toBe(false);
    const keys = await store.apiKeys.list({ ownerId: owner!.id });
    expect(keys).toHaveLength(2500);
    expect(new Set(keys.map((k) => k.scopes.join(' ')))).toEqual(new Set(['read write']));
    // Only digests are stored: every sampled secret is found by its hash, with its display start.
    for (const l of [lines[0]!, lines[1234]!, lines[2499]!]) {
      const match = await store.apiKeys.findBySecretHash(hashSecret(l.secret));
      expect(match?.key.id).toBe(l.keyId);
      expect(match?.secret.start).toBe(displayStart(l.secret, 'sk_'));
    }
    const audit = await store.audit.list({ subjectUserId: owner!.id, limit: 10 });
    expect(audit.filter((a) => a.action === 'api_key.seed').map((a) => a.detail)).toEqual([{ keys: 2500, scopes: ['read', 'write'] }]);
  });

  it('adds keys to an existing owner, and a real server accepts them', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const { out, lines } = await seed(target, ['--keys', '3', '--owner', 'seed@example.com']);
    expect(out.join('')).toMatch(/^seeded 3 keys for seed@example\.com in \d+ ms \(\d+ keys\/s\)$/);
    const owner = await store.accounts.findUserByEmail('seed@example.com');
    expect(await store.apiKeys.list({ ownerId: owner!.id })).toHaveLength(2503);
    const server = await startServer(loadConfig({ ...target.env, PORT: '0', HOST: '127.0.0.1', GATEHOUSE_LOG_LEVEL: 'silent' }), { logger: silentLogger });
    try {
      for (const l of lines) {
        const res = await fetch(`${server.url}/v1/agents`, { headers: { authorization: `Bearer ${l.secret}` } });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      const forged = `${lines[0]!.secret.slice(0, -1)}${lines[0]!.secret.endsWith('A') ? 'B' : 'A'}`;
      expect((await fetch(`${server.url}/v1/agents`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('never overwrites an existing secrets file, and then seeds nothing', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const file = join(target.dataDir, 'taken.tsv');
    writeFileSync(file, 'someone else\n');
    const owner = await store.accounts.findUserByEmail('seed@example.com');
    const before = (await store.apiKeys.list({ ownerId: owner!.id })).length;
    await expect(seed(target, ['--keys', '5'], file)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(file, 'utf8')).toBe('someone else\n');
    expect(await store.apiKeys.list({ ownerId: owner!.id })).toHaveLength(before);
  });

  it.for<[string[], new (...args: never[]) => Error, RegExp]>([
    [['seed'], UsageError, /missing --keys/],
    [['seed', '--keys', '0'], UsageError, /--keys takes a whole number from 1 to 10000000/],
    [['seed', '--keys', '1e3'], UsageError, /--keys takes a whole number/],
    [['seed', '--keys', '10000001'], UsageError, /--keys takes a whole number/],
    [['seed', '--keys', '1', '--scopes', ','], UsageError, /at least one scope/],
    [['seed', '--keys', '1', '--scopes', 'read,launch'], Error, /Unknown scope: launch/],
    [['seed', '--keys', '1', '--bogus'], UsageError, /Unknown option/],
    [['grow'], UsageError, /usage: gatehouse dev seed/],
  ])('rejects %j', async ([args, kind, message], ctx) => {
    const target = db.backend(ctx);
    const io: CliIO = { env: target.env, out: () => {}, err: () => {}, readStdin: async () => '' };
    await expect(devCommand(loadConfig(target.env), io, args)).rejects.toThrow(kind);
    await expect(devCommand(loadConfig(target.env), io, args)).rejects.toThrow(message);
  });
});
