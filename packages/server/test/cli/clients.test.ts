/**
 * `gatehouse clients` in-process on both real backends: create (repeated --redirect-uri, the
 * secret printed once with --json and stored hashed, none for --public), validation, and list.
 */
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { hashSecret } from '../../src/core/credentials.js';
import { BACKENDS, type BackendTarget } from '../helpers/backends.js';
import { useStore } from '../helpers/store.js';

const PASSWORD = 'correct horse battery staple';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(target: BackendTarget, argv: string[], stdin = ''): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { env: { ...target.env }, out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => stdin };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const json = <T>(run: Run): T => {
  expect(run.code, run.err).toBe(0);
  return JSON.parse(run.out) as T;
};

describe.each(BACKENDS)('gatehouse clients on $name', (backend) => {
  // The CLI applies the schema itself, as it does for an operator.
  const db = useStore(backend, { migrate: false }, async (_store, target) => {
    for (const email of ['dev@example.com', 'other@example.com']) {
      expect((await cli(target, ['users', 'create', '--email', email, '--password-stdin'], PASSWORD)).code).toBe(0);
    }
  });

  const create = ['clients', 'create', '--owner', 'dev@example.com', '--name', 'Acme'];

  it('creates a confidential app with several redirect URIs; --json prints client_id and client_secret once', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const argv = [...create, '--redirect-uri', 'https://acme.example/cb', '--redirect-uri', 'http://127.0.0.1/cb', '--scopes', 'read,write', '--jwt-access-tokens', '--json'];
    const printed = json<Record<string, string>>(await cli(target, argv));
    expect(Object.keys(printed).sort()).toEqual(['client_id', 'client_secret']);
    expect(printed.client_id).toMatch(/^app_[0-9A-Za-z]{20}$/);
    expect(printed.client_secret).toMatch(/^cs_[0-9A-Za-z]{36}$/);
    const record = await store.oauth.clients.get(printed.client_id!);
    const owner = await store.accounts.findUserByEmail('dev@example.com');
    expect(record).toMatchObject({
      ownerId: owner!.id,
      name: 'Acme',
      type: 'confidential',
      redirectUris: ['https://acme.example/cb', 'http://127.0.0.1/cb'],
      scopes: ['read', 'write'],
      jwtAccessTokens: true,
      // The default refresh reuse window.
      refreshGraceSeconds: 30,
      secretHash: hashSecret(printed.client_secret!),
    });
    expect(JSON.stringify(record)).not.toContain(printed.client_secret);
    const listed = await cli(target, ['clients', 'list', '--owner', 'dev@example.com', '--json']);
    expect(listed.out).toContain(printed.client_id);
    expect(listed.out).not.toContain(printed.client_secret);
  });

  it('creates a public app with --public: no client_secret key at all', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const printed = json<Record<string, string>>(await cli(target, [...create, '--redirect-uri', 'com.acme.app:/cb', '--scopes', 'read', '--public', '--json']));
    expect(Object.keys(printed)).toEqual(['client_id']);
    expect(await store.oauth.clients.get(printed.client_id!)).toMatchObject({ type: 'public', secretHash: null, secretStart: null });
  });

  it('prints the secret once in text mode too', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const run = await cli(target, [...create, '--redirect-uri', 'https://acme.example/text', '--scopes', 'read', '--refresh-grace-seconds', '60']);
    expect(run.code, run.err).toBe(0);
    const secret = /client secret \(shown once\): (cs_[0-9A-Za-z]{36})/.exec(run.out)?.[1];
    const id = /application (app_[0-9A-Za-z]+)/.exec(run.out)?.[1];
    expect(secret).toBeDefined();
    expect(await store.oauth.clients.get(id!)).toMatchObject({ refreshGraceSeconds: 60, secretHash: hashSecret(secret!) });
  });

  it('--refresh-grace-seconds 0 gives strict rotation instead of the default reuse window', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const printed = json<Record<string, string>>(await cli(target, [...create, '--redirect-uri', 'https://acme.example/strict', '--scopes', 'read', '--refresh-grace-seconds', '0', '--json']));
    expect(await store.oauth.clients.get(printed.client_id!)).toMatchObject({ refreshGraceSeconds: 0 });
  });

  it('refuses bad input: usage errors exit 2, refused settings exit 1, nothing is created', async (ctx) => {
    const target = db.backend(ctx);
    const store = db(ctx);
    const owner = await store.accounts.findUserByEmail('dev@example.com');
    const before = (await store.oauth.clients.list(owner!.id)).length;
    for (const [argv, code, message] of [
      [[...create, '--scopes', 'read'], 2, /--redirect-uri/],
      [['clients', 'create', '--name', 'x', '--redirect-uri', 'https://a.example/cb', '--scopes', 'read'], 2, /--owner/],
      [[...create, '--redirect-uri', 'https://a.example/cb'], 2, /--scopes/],
      [[...create, '--redirect-uri', 'https://a.example/cb', '--scopes', 'read', '--refresh-grace-seconds', 'soon'], 2, /whole number/],
      [[...create, '--redirect-uri', 'https://a.example/cb', '--scopes', 'read', '--colour', 'red'], 2, /colour/],
      [[...create, '--redirect-uri', 'http://a.example/cb', '--scopes', 'read'], 1, /https/],
      [[...create, '--redirect-uri', 'https://a.example/cb#x', '--scopes', 'read'], 1, /fragment/],
      [[...create, '--redirect-uri', 'callback', '--scopes', 'read'], 1, /absolute/],
      [[...create, '--redirect-uri', 'https://a.example/cb', '--scopes', 'read,root'], 1, /root/],
      [[...create, '--redirect-uri', 'https://a.example/cb', '--scopes', ' , '], 2, /--scopes/],
      [[...create, '--redirect-uri', 'https://a.example/cb', '--scopes', 'read', '--refresh-grace-seconds', '301'], 1, /0–300/],
      [['clients', 'create', '--owner', 'nobody@example.com', '--name', 'x', '--redirect-uri', 'https://a.example/cb', '--scopes', 'read'], 1, /nobody@example.com/],
      [['clients', 'list', '--owner'], 2, /--owner/],
      [['clients', 'rename'], 2, /usage: gatehouse clients/],
    ] as const) {
      const run = await cli(target, [...argv]);
      expect(run.code, argv.join(' ')).toBe(code);
      expect(run.err, argv.join(' ')).toMatch(message);
      expect(run.out).toBe('');
    }
    expect((await store.oauth.clients.list(owner!.id)).length).toBe(before);
  });

  it("lists one owner's apps, as text and as JSON without secrets", async (ctx) => {
    const target = db.backend(ctx);
    const theirs = json<{ client_id: string }>(await cli(target, ['clients', 'create', '--owner', 'other@example.com', '--name', 'Theirs', '--redirect-uri', 'https://t.example/cb', '--scopes', 'read', '--json']));
    const mine = json<Array<Record<string, unknown>>>(await cli(target, ['clients', 'list', '--owner', 'dev@example.com', '--json']));
    expect(mine.length).toBeGreaterThanOrEqual(3);
    expect(mine.map((c) => c.client_id)).not.toContain(theirs.client_id);
    for (const c of mine) {
      expect(c).toMatchObject({ name: 'Acme', owner_id: expect.stringMatching(/^usr_/), created_at: expect.any(String) });
      expect(c).not.toHaveProperty('client_secret');
    }
    const all = json<Array<Record<string, unknown>>>(await cli(target, ['clients', 'list', '--json']));
    expect(all.length).toBeGreaterThan(mine.length);
    const text = await cli(target, ['clients', 'list', '--owner', 'other@example.com']);
    expect(text.code).toBe(0);
    expect(text.out).toBe(`${theirs.client_id}\tconfidential\tread\tTheirs\thttps://t.example/cb`);
    const none = await cli(target, ['users', 'create', '--email', 'empty@example.com', '--password-stdin'], PASSWORD);
    expect(none.code).toBe(0);
    expect((await cli(target, ['clients', 'list', '--owner', 'empty@example.com'])).out).toBe('no applications');
  });
});
