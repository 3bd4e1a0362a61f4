import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { createClient } from '../../src/core/oauth/clients.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { sqlite } from '../helpers/backends.js';
import { type TestServer, seedUser, systemActor, useServer } from '../helpers/server.js';
import { Browser } from '../helpers/http.js';
import { PASSWORD, authorize } from '../oauth/support.js';

interface Run {
  code: Promise<number>;
  out: string[];
  err: string[];
}

function login(server: TestServer, argv: string[]): Run {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    env: { ...server.backend.env, GATEHOUSE_LOG_LEVEL: 'silent' },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readStdin: async () => '',
  };
  return { code: runCli(['login', '--url', server.url, '--no-open', ...argv], io), out, err };
}

async function printedUrl(run: Run): Promise<URL> {
  for (let i = 0; i < 200; i++) {
    const line = run.err.join('\n').split('\n').find((l) => l.startsWith('http'));
    if (line) return new URL(line);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no authorization URL printed: ${run.err.join('\n')}`);
}

describe('gatehouse login (loopback redirect, RFC 8252)', () => {
  let user: UserRecord;
  let appId: string;
  let dir: string;

  const getServer = useServer(sqlite, {}, async (server) => {
    user = await seedUser(server, 'cli-user@example.com', PASSWORD);
    const { client } = await createClient(server.runtime, { ...systemActor, user }, user.id, 'public', {
      name: 'Gatehouse CLI',
      redirectUris: ['http://127.0.0.1/callback'],
      scopes: ['read', 'write'],
    });
    appId = client.id;
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-login-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in through the browser flow and stores working tokens in a 0600 file', async (ctx) => {
    const server = getServer(ctx);
    const store = join(dir, 'nested', 'credentials.json');
    const run = login(server, ['--client-id', appId, '--scopes', 'read', '--store', store, '--json']);
    const url = await printedUrl(run);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    const back = await authorize(new Browser(server.url), url, { email: user.email, password: PASSWORD });
    const landing = await fetch(back);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('Signed in');

    expect(await run.code).toBe(0);
    expect(JSON.parse(run.out.join(''))).toMatchObject({ signed_in: true, scope: 'read', store });
    expect(statSync(store).mode & 0o777).toBe(0o600);
    const tokens = JSON.parse(readFileSync(store, 'utf8')) as { accessToken: string; refreshToken: string };
    expect(tokens.refreshToken).toMatch(/^rt_/);
    // No token is printed: only the file holds them.
    expect(run.out.join('') + run.err.join('')).not.toContain(tokens.accessToken);
    const res = await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${tokens.accessToken}` } });
    expect(res.status).toBe(200);
  });

  it('fails with exit code 1 and stores nothing when the user denies', async (ctx) => {
    const server = getServer(ctx);
    const store = join(dir, 'denied.json');
    const run = login(server, ['--client-id', appId, '--store', store]);
    const url = await printedUrl(run);
    const back = await authorize(new Browser(server.url), url, { email: user.email, password: PASSWORD }, 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    await fetch(back);
    expect(await run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(/access_denied|denied/);
    expect(() => statSync(store)).toThrow();
  });

  it('gives up after --timeout and refuses a missing --client-id', async (ctx) => {
    const server = getServer(ctx);
    const run = login(server, ['--client-id', appId, '--store', join(dir, 'late.json'), '--timeout', '1s']);
    expect(await run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(/timed out/);
    const missing = login(server, []);
    expect(await missing.code).toBe(2);
  });
});
