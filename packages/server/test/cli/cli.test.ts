/**
 * The `gatehouse` command, run in-process against both real backends with captured output,
 * plus one run of the real entry point in a child process.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { BACKENDS, type BackendTarget, sqlite } from '../helpers/backends.js';
import { useStore } from '../helpers/store.js';

const PASSWORD = 'correct horse battery staple';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(target: BackendTarget, argv: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    env: { ...target.env, ...options.env },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readStdin: async () => options.stdin ?? '',
  };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const json = <T>(run: Run): T => {
  expect(run.code, run.err).toBe(0);
  return JSON.parse(run.out) as T;
};

interface KeyListed {
  key_id: string;
  status: string;
  start: string;
  scopes: string[];
}

describe.each(BACKENDS)('gatehouse CLI on $name', (backend) => {
  // Not migrated here: the first test checks that `gatehouse migrate` applies the schema.
  const db = useStore(backend, { migrate: false });

  it('migrate applies the schema', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    expect(json<{ migrated: boolean; database: string }>(await cli(target, ['migrate', '--json']))).toEqual({ migrated: true, database: backend.name });
    expect(await store.apiKeys.list({})).toEqual([]);
  });

  it('users create reads the password from stdin; the first account is admin', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const first = json<{ id: string; email: string; admin: boolean }>(
      await cli(target, ['users', 'create', '--email', 'Owner@Example.com', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` }),
    );
    expect(first).toEqual({ id: expect.stringMatching(/^usr_/), email: 'owner@example.com', admin: true });
    const second = json<{ admin: boolean }>(await cli(target, ['users', 'create', '--email', 'dev@example.com', '--password-stdin', '--json'], { stdin: PASSWORD }));
    expect(second.admin).toBe(false);
    const third = json<{ admin: boolean }>(await cli(target, ['users', 'create', '--email', 'ops@example.com', '--password-stdin', '--admin', '--json'], { stdin: PASSWORD }));
    expect(third.admin).toBe(true);
    const stored = await store.accounts.findUserByEmail('owner@example.com');
    expect(stored?.isAdmin).toBe(true);
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    // Nothing here seals a signing key: the server secret is loaded on first use, so none was generated.
    expect(existsSync(join(target.dataDir, 'secret'))).toBe(false);
  });

  it('users create without --password-stdin exits 2 and creates nobody', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const run = await cli(target, ['users', 'create', '--email', 'nostdin@example.com'], { stdin: PASSWORD });
    expect(run.code).toBe(2);
    expect(run.err).toContain('--password-stdin');
    expect(await store.accounts.findUserByEmail('nostdin@example.com')).toBeUndefined();
  });

  it('keys create prints exactly key_id, key, scopes and expires_at', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const before = Date.now();
    const created = json<Record<string, unknown>>(
      await cli(target, ['keys', 'create', '--owner', 'dev@example.com', '--name', 'deploy', '--scopes', 'read,write', '--expires-in', '30d', '--json']),
    );
    expect(Object.keys(created).sort()).toEqual(['expires_at', 'key', 'key_id', 'scopes']);
    expect(created.key).toMatch(/^sk_[0-9A-Za-z]{36}$/);
    expect(created.scopes).toEqual(['read', 'write']);
    const expiresAt = Date.parse(created.expires_at as string);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
    const stored = await store.apiKeys.get(created.key_id as string);
    expect(stored?.ownerId).toBe((await store.accounts.findUserByEmail('dev@example.com'))?.id);

    const forever = json<Record<string, unknown>>(await cli(target, ['keys', 'create', '--owner', 'dev@example.com', '--name', 'forever', '--scopes', 'read', '--json']));
    expect(forever.expires_at).toBeNull();
  });

  it('keys list, revoke and roll', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const created = json<{ key_id: string; key: string }>(await cli(target, ['keys', 'create', '--owner', 'ops@example.com', '--name', 'to revoke', '--scopes', 'read', '--json']));
    const listed = json<KeyListed[]>(await cli(target, ['keys', 'list', '--owner', 'ops@example.com', '--json']));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ key_id: created.key_id, status: 'active', scopes: ['read'] });
    expect(created.key.startsWith(listed[0]!.start)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const revoked = await cli(target, ['keys', 'revoke', created.key_id]);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain(created.key_id);
    expect((await store.apiKeys.get(created.key_id))?.revokedAt).not.toBeNull();
    const after = json<KeyListed[]>(await cli(target, ['keys', 'list', '--json']));
    expect(after.find((k) => k.key_id === created.key_id)?.status).toBe('revoked');

    const live = json<{ key_id: string; key: string }>(await cli(target, ['keys', 'create', '--owner', 'ops@example.com', '--name', 'to roll', '--scopes', 'read', '--json']));
    const rolled = json<{ key_id: string; key: string; grace_seconds: number }>(await cli(target, ['keys', 'roll', live.key_id, '--grace', '1h', '--json']));
    expect(rolled.key_id).toBe(live.key_id);
    expect(rolled.key).toMatch(/^sk_[0-9A-Za-z]{36}$/);
    expect(rolled.key).not.toBe(live.key);
    expect(rolled.grace_seconds).toBe(3600);
    expect((await store.apiKeys.get(live.key_id))?.start).toBe(rolled.key.slice(0, 7));
    expect((await cli(target, ['keys', 'roll', created.key_id, '--json'])).code).toBe(1);
  });

  it('explains an unknown scope or owner (exit 1) and a bad duration (exit 2)', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const count = (await store.apiKeys.list({})).length;
    const scope = await cli(target, ['keys', 'create', '--owner', 'dev@example.com', '--name', 'x', '--scopes', 'read,root']);
    expect(scope.code).toBe(1);
    expect(scope.err).toContain('Unknown scope: root');
    const owner = await cli(target, ['keys', 'create', '--owner', 'ghost@example.com', '--name', 'x', '--scopes', 'read']);
    expect(owner.code).toBe(1);
    expect(owner.err).toContain('ghost@example.com');
    const duration = await cli(target, ['keys', 'create', '--owner', 'dev@example.com', '--name', 'x', '--scopes', 'read', '--expires-in', 'forever']);
    expect(duration.code).toBe(2);
    expect(duration.err).toContain('--expires-in');
    const grace = await cli(target, ['keys', 'roll', 'key_whatever', '--grace', '1 hour']);
    expect(grace.code).toBe(2);
    expect(await store.apiKeys.list({})).toHaveLength(count);
  });

  it('reports a configuration error naming the variable (exit 2)', async (ctx) => {
    const target = db.backend(ctx);
    const run = await cli(target, ['keys', 'list', '--json'], { env: { GATEHOUSE_SIGNUP: 'nope' } });
    expect(run.code).toBe(2);
    expect(run.err).toContain('GATEHOUSE_SIGNUP');
    expect(run.out).toBe('');
  });
});

describe('the gatehouse entry point', () => {
  let target: BackendTarget | undefined;
  afterAll(async () => {
    await target?.cleanup();
  });

  it('runs `keys list --json` as a real process on SQLite', async () => {
    target = (await sqlite.setup())!;
    expect((await cli(target, ['users', 'create', '--email', 'proc@example.com', '--password-stdin'], { stdin: PASSWORD })).code).toBe(0);
    const created = json<{ key_id: string; key: string }>(await cli(target, ['keys', 'create', '--owner', 'proc@example.com', '--name', 'proc', '--scopes', 'read', '--json']));

    const env: NodeJS.ProcessEnv = { ...process.env, ...target.env };
    delete env.DATABASE_URL;
    delete env.GATEHOUSE_CONFIG;
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/cli/run.ts', 'keys', 'list', '--json'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const listed = JSON.parse(stdout) as KeyListed[];
    expect(listed.map((k) => k.key_id)).toEqual([created.key_id]);
    expect(listed[0]?.status).toBe('active');
    expect(stdout).not.toContain(created.key);
  });
});
