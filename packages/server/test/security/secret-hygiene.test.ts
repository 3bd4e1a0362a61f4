/**
 * Secrets stay secret: after a realistic session (console sign-up and keys, API keys, rolls,
 * revocations, failed sign-ins, CLI accounts, invites and keys) no issued secret, password,
 * session or CSRF value appears in the server's logs, in CLI output other than the one display
 * meant to show it, or anywhere in the database in clear. A 500 says only "Internal server error".
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { issueSecret } from '../../src/core/credentials.js';
import { BACKENDS, type BackendTarget } from '../helpers/backends.js';
import { type TestServer, seedKey, seedUser, startTestServer } from '../helpers/server.js';
import { Browser } from '../helpers/http.js';

const NEW_SECRET = /data-testid="new-secret">(sk_[0-9A-Za-z]{36})</;
const unique = () => Math.random().toString(36).slice(2, 10);

/** Every secret that went over the wire, by label (for readable failures). */
class Secrets {
  readonly all = new Map<string, string>();
  add(label: string, value: string | undefined): string {
    expect(value, label).toBeTruthy();
    this.all.set(label, value!);
    return value!;
  }
}

interface CliRun {
  argv: string[];
  output: string;
}

async function cli(target: BackendTarget, runs: CliRun[], argv: string[], stdin = ''): Promise<string> {
  const lines: string[] = [];
  const io = { env: { ...target.env }, out: (t: string) => lines.push(t), err: (t: string) => lines.push(t), readStdin: async () => stdin };
  const code = await runCli(argv, io);
  runs.push({ argv, output: lines.join('\n') });
  expect(code, lines.join('\n')).toBe(0);
  return lines.join('\n');
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

/** Everything the database holds, as one searchable string (PostgreSQL: every row of every table). */
async function postgresDump(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'");
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`select * from "${table_name.replace(/"/g, '""')}"`);
      parts.push(JSON.stringify(rows.rows));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** SQLite: the raw bytes of the database file and its WAL/SHM files, after the server closed it. */
function sqliteBytes(dataDir: string): string {
  const base = join(dataDir, 'gatehouse.db');
  return ['', '-wal', '-shm']
    .map((suffix) => base + suffix)
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('\n');
}

describe.each(BACKENDS)('secret hygiene on $name', (backend) => {
  it('keeps every secret out of logs, CLI output (beyond its one display) and the database', async (ctx) => {
    const server = await startTestServer(backend, { env: { GATEHOUSE_SIGNUP: 'invite' } });
    if (!server) return ctx.skip();
    const secrets = new Secrets();
    const runs: CliRun[] = [];
    const cliOwned = new Map<string, number>(); // secret → index of the run that displays it
    const pages: string[] = [];
    try {
      const agents = async (key: string) => (await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${key}` } })).status;
      const api = async (method: string, path: string, key: string, body?: unknown) =>
        fetch(`${server.url}${path}`, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });

      // Console: the first account signs up and creates an admin key.
      const ownerEmail = `owner-${unique()}@example.com`;
      const owner = new Browser(server.url);
      const ownerPassword = secrets.add('owner password', `owner pw ${unique()} ${unique()}`);
      expect((await owner.form('/console/signup', { email: ownerEmail, password: ownerPassword })).status).toBe(303);
      expect((await owner.form('/console/login', { email: ownerEmail, password: ownerPassword })).status).toBe(303);
      secrets.add('owner session', owner.cookies.get('gh_session'));
      secrets.add('owner csrf', owner.cookies.get('gh_csrf'));
      const created = await owner.form('/console/settings/api-keys', { name: 'console admin', scopes: ['read', 'write', 'admin'], expires: '90d' });
      const k1 = secrets.add('console key', NEW_SECRET.exec(await created.text())?.[1]);

      // API: create a key with the console key, roll it with grace, use both secrets.
      const k2res = await api('POST', '/v1/api-keys', k1, { name: 'api key', scopes: ['read'] });
      expect(k2res.status).toBe(201);
      const k2body = (await k2res.json()) as { key_id: string; key: string };
      const k2 = secrets.add('api key', k2body.key);
      const k3res = await api('POST', `/v1/api-keys/${k2body.key_id}/roll`, k1, { grace_seconds: 3600 });
      const k3 = secrets.add('api key rolled', ((await k3res.json()) as { key: string }).key);
      expect(await agents(k2)).toBe(200);
      expect(await agents(k3)).toBe(200);

      // Console: roll the admin key without grace, revoke the API key.
      const keyId1 = (await server.runtime.store.apiKeys.list({})).find((k) => k1.startsWith(k.start))!.id;
      const rolled = await owner.form(`/console/settings/api-keys/${keyId1}/roll`, { grace: '0' });
      const k4 = secrets.add('console key rolled', NEW_SECRET.exec(await rolled.text())?.[1]);
      expect(await agents(k1)).toBe(401);
      expect((await api('POST', '/v1/agents', k4, { name: 'worker' })).status).toBe(201);
      expect((await owner.form(`/console/settings/api-keys/${k2body.key_id}/revoke`, {})).status).toBe(303);
      expect(await agents(k3)).toBe(401);
      const forged = secrets.add('forged key', issueSecret('sk_').secret);
      expect(await agents(forged)).toBe(401);
      expect(await agents(`${forged.slice(0, -1)}x`)).toBe(401);

      // Failed sign-ins (wrong password, unknown email), a good one, sign-out, a weak sign-up.
      const visitor = new Browser(server.url);
      const wrong = secrets.add('wrong password', `wrong pw ${unique()} ${unique()}`);
      const guess = secrets.add('guessed password', `guess pw ${unique()} ${unique()}`);
      for (const [email, password] of [[ownerEmail, wrong], [`nobody-${unique()}@example.com`, guess]] as const) {
        const res = await visitor.form('/console/login', { email, password });
        expect(res.status).toBe(401);
        pages.push(await res.text());
      }
      expect((await visitor.form('/console/login', { email: ownerEmail, password: ownerPassword })).status).toBe(303);
      secrets.add('second session', visitor.cookies.get('gh_session'));
      secrets.add('visitor csrf', visitor.cookies.get('gh_csrf'));
      expect((await visitor.form('/console/logout', {})).status).toBe(303);
      const weak = secrets.add('weak password', `w${unique()}`.slice(0, 9));
      const weakRes = await new Browser(server.url).form('/console/signup', { email: `weak-${unique()}@example.com`, password: weak });
      pages.push(await weakRes.text());

      // CLI: an account with a password on stdin, an invite, a key and its roll.
      const cliEmail = `cli-${unique()}@example.com`;
      const cliPassword = secrets.add('cli password', `cli pw ${unique()} ${unique()}`);
      await cli(server.backend, runs, ['users', 'create', '--email', cliEmail, '--password-stdin'], `${cliPassword}\n`);
      const invite = secrets.add('invite', (JSON.parse(await cli(server.backend, runs, ['users', 'invite', '--json'])) as { invite: string }).invite);
      cliOwned.set(invite, runs.length - 1);
      const k5body = JSON.parse(await cli(server.backend, runs, ['keys', 'create', '--owner', cliEmail, '--name', 'cli', '--scopes', 'read', '--json'])) as { key_id: string; key: string };
      cliOwned.set(secrets.add('cli key', k5body.key), runs.length - 1);
      const k6 = secrets.add('cli key rolled', (JSON.parse(await cli(server.backend, runs, ['keys', 'roll', k5body.key_id, '--grace', '1h', '--json'])) as { key: string }).key);
      cliOwned.set(k6, runs.length - 1);
      await cli(server.backend, runs, ['keys', 'list', '--json']);
      expect(await agents(k6)).toBe(200);

      // Console: the invite admits one new account.
      const invited = new Browser(server.url);
      await invited.request(`/console/signup?invite=${invite}`);
      const invitedPassword = secrets.add('invited password', `invited pw ${unique()} ${unique()}`);
      const invitedEmail = `inv-${unique()}@example.com`;
      expect((await invited.form('/console/signup', { email: invitedEmail, password: invitedPassword, invite })).status).toBe(303);
      expect((await invited.form('/console/login', { email: invitedEmail, password: invitedPassword })).status).toBe(303);
      secrets.add('invited session', invited.cookies.get('gh_session'));

      // Logs and CLI output.
      const logs = server.logs.join('');
      expect(logs).toContain('"status":401'); // the logs did record the session
      for (const [label, secret] of secrets.all) {
        expect(logs.includes(secret), `${label} in the server logs`).toBe(false);
        if (label.includes('password')) for (const page of pages) expect(page.includes(secret), `${label} echoed in a page`).toBe(false);
        runs.forEach((run, i) => {
          const n = count(run.output, secret);
          const where = `${label} in the output of gatehouse ${run.argv.join(' ')}`;
          if (cliOwned.get(secret) !== i) expect(n, where).toBe(0);
          else if (secret === invite) expect(n, where).toBeGreaterThan(0); // the link and the bare token
          else expect(n, where).toBe(1);
        });
      }

      // The database, in clear.
      let stored: string;
      if (backend.name === 'postgres') {
        await server.close();
        stored = await postgresDump(server.backend.env.DATABASE_URL!);
      } else {
        await server.close();
        stored = sqliteBytes(server.backend.dataDir);
      }
      expect(stored).toContain(ownerEmail); // the search does see stored data
      expect(stored).toContain(k6.slice(0, 7)); // display starts are meant to be stored
      for (const [label, secret] of secrets.all) expect(stored.includes(secret), `${label} stored in clear`).toBe(false);
    } finally {
      await server.dispose();
    }
  });

  it('answers a failure inside the store with a bare "Internal server error"', async (ctx) => {
    const server: TestServer | undefined = await startTestServer(backend);
    if (!server) return ctx.skip();
    try {
      const user = await seedUser(server);
      const { secret } = await seedKey(server, user, ['read', 'admin']);
      const cold = (await seedKey(server, user, ['read'])).secret;
      const browser = new Browser(server.url);
      expect((await browser.form('/console/login', { email: user.email, password: 'correct horse battery staple' })).status).toBe(303);
      const auth = { Authorization: `Bearer ${secret}` };
      expect((await fetch(`${server.url}/v1/agents`, { headers: auth })).status).toBe(200);

      await server.runtime.store.close();
      const leaks = /\bat\s|\.ts\b|\.js\b|select|insert|from\s|sqlite|postgres|kysely|destroyed|stack|Error:/i;
      for (const res of [
        await fetch(`${server.url}/v1/api-keys`, { headers: auth }),
        await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${cold}` } }),
      ]) {
        expect(res.status).toBe(500);
        const text = await res.text();
        expect(JSON.parse(text)).toEqual({ detail: 'Internal server error', status_code: 500, extra: {} });
      }
      const page = await browser.request('/console/settings/api-keys');
      expect(page.status).toBe(500);
      const html = await page.text();
      expect(html).toContain('Internal server error');
      expect(html.replace(/<[^>]*>/g, ' ')).not.toMatch(leaks);
      const logs = server.logs.join('');
      expect(logs).toContain('request failed');
      for (const s of [secret, cold, browser.cookies.get('gh_session')!]) expect(logs).not.toContain(s);
    } finally {
      await server.dispose();
    }
  });
});
