/**
 * Crash safety: `kill -9` of a real `gatehouse serve` process under load loses no write the
 * server acknowledged, on SQLite and on PostgreSQL.
 *
 * For a few seconds, workers create API keys (`POST /v1/api-keys` with an admin key) and rotate
 * refresh tokens (`POST /oauth/token`, one chain per grant) and record every acknowledgement
 * (201 with the key's id and secret; 200 with the new refresh token). Then the process is killed
 * with SIGKILL while requests are in flight and started again on the same database, data
 * directory and GATEHOUSE_SECRET. Every acknowledged key must verify at `/v1/agents`, and for
 * every grant the last acknowledged refresh token must still refresh. When the rotation that was
 * in flight committed but its response was lost in the crash, that token is a replay: the
 * application's default reuse window must hand back the same successor instead of revoking the
 * grant, so the user stays signed in. One grant meets that case on purpose (the response of its
 * last refresh is dropped, and the kill waits until the rotation is in the database); the other
 * grants meet it when the kill happens to land there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { hashSecret } from '../../src/core/credentials.js';
import { openStore } from '../../src/store/kysely-store.js';
import { BACKENDS, type BackendTarget } from '../helpers/backends.js';
import { Browser } from '../helpers/http.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { TEST_SERVER_SECRET } from '../helpers/runtime.js';
import { freePort } from '../helpers/server.js';
import { PASSWORD, REDIRECT_URI, authorize } from '../oauth/support.js';

const GRANTS = 6; // one of them loses its last refresh response on purpose
const KEY_WORKERS = 4;
/** How long the load runs before the kill (the kill lands mid-load: every worker is busy). */
const LOAD_MS = 2500;
const ADMIN = 'ops@example.com';

async function cli(target: BackendTarget, argv: string[], stdin = ''): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { env: { ...target.env, GATEHOUSE_SECRET: TEST_SERVER_SECRET }, out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => stdin };
  const code = await runCli(argv, io);
  expect(code, err.join('\n')).toBe(0);
  return out.join('\n');
}


interface Serve {
  child: ChildProcess;
  exited: Promise<void>;
  output(): string;
}

/** `gatehouse serve` as a child process; resolves once it answers /readyz. */
async function serve(target: BackendTarget, port: number): Promise<Serve> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...target.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    GATEHOUSE_ISSUER: `http://127.0.0.1:${port}`,
    GATEHOUSE_SECRET: TEST_SERVER_SECRET,
    GATEHOUSE_LOG_LEVEL: 'warn',
  };
  for (const name of ['GATEHOUSE_CONFIG', 'GATEHOUSE_METRICS_TOKEN', 'GATEHOUSE_SHUTDOWN_TIMEOUT_SECONDS', 'REDIS_URL']) delete env[name];
  if (!target.env.DATABASE_URL) delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/cli/run.ts', 'serve'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`gatehouse serve exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gatehouse serve did not become ready:\n${output}`);
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
    if (ready === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, exited, output: () => output };
}

interface AckedKey {
  id: string;
  secret: string;
}

interface Grant {
  user: string;
  /** The newest refresh token the server acknowledged (a 200 carrying it). */
  acked: string;
  rotations: number;
}

describe.each(BACKENDS)('kill -9 under load on $name', (backend) => {
  let target: BackendTarget | undefined;
  let server: Serve | undefined;
  beforeAll(async () => {
    target = await backend.setup();
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await target?.cleanup();
  });

  it('loses no acknowledged key creation or refresh rotation, and signs no user out', async (ctx) => {
    if (!target) return ctx.skip(`${backend.name} unavailable`);
    const t = target;

    // A fresh database: an admin, an admin key, an application with the default settings, users.
    await cli(t, ['users', 'create', '--email', ADMIN, '--password-stdin'], PASSWORD);
    const admin = JSON.parse(await cli(t, ['keys', 'create', '--owner', ADMIN, '--name', 'load driver', '--scopes', 'read,admin', '--json'])) as { key: string };
    const app = JSON.parse(await cli(t, ['clients', 'create', '--owner', ADMIN, '--name', 'Crash App', '--redirect-uri', REDIRECT_URI, '--scopes', 'read,write', '--json'])) as {
      client_id: string;
      client_secret: string;
    };
    const users = Array.from({ length: GRANTS }, (_, i) => `user-${i}-${randomBytes(3).toString('hex')}@example.com`);
    for (const email of users) await cli(t, ['users', 'create', '--email', email, '--password-stdin'], PASSWORD);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = await serve(t, port);

    const tokenRequest = (form: Record<string, string>) =>
      fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form, client_id: app.client_id, client_secret: app.client_secret }),
      });
    const agents = async (token: string) => {
      const res = await fetch(`${base}/v1/agents`, { headers: { Authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return res.status;
    };

    // One grant per user, through the real authorization endpoint.
    const grants: Grant[] = [];
    for (const email of users) {
      const url = new URL('/oauth/authorize', base);
      for (const [k, v] of Object.entries({ client_id: app.client_id, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'read write', state: randomBytes(8).toString('hex') })) url.searchParams.set(k, v);
      const back = await authorize(new Browser(base), url, { email, password: PASSWORD });
      const code = back.searchParams.get('code');
      expect(code).toBeTruthy();
      const res = await tokenRequest({ grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT_URI });
      const body = (await res.json()) as { refresh_token: string };
      expect(res.status).toBe(200);
      grants.push({ user: email, acked: body.refresh_token, rotations: 0 });
    }

    // The load. A request that fails at the network level was never acknowledged; any answer
    // other than the expected one before the kill is a failure of its own.
    const keys: AckedKey[] = [];
    const unexpected: string[] = [];
    let killed = false;
    const keyWorker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        try {
          const res = await fetch(`${base}/v1/api-keys`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${admin.key}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ name: `crash ${w}-${i}`, scopes: ['read'] }),
          });
          const text = await res.text();
          if (res.status === 201) {
            const body = JSON.parse(text) as { key_id: string; key: string };
            keys.push({ id: body.key_id, secret: body.key });
          } else unexpected.push(`POST /v1/api-keys ${res.status}`);
        } catch {
          return; // the connection died with the server: this creation was not acknowledged
        }
      }
    };
    const refreshWorker = async (g: Grant) => {
      while (!killed) {
        try {
          const res = await tokenRequest({ grant_type: 'refresh_token', refresh_token: g.acked });
          const text = await res.text();
          if (res.status === 200) {
            g.acked = (JSON.parse(text) as { refresh_token: string }).refresh_token;
            g.rotations++;
          } else unexpected.push(`refresh ${res.status} ${text.slice(0, 200)}`);
        } catch {
          return; // response lost: `acked` is still the token this request presented
        }
      }
    };
    // grants[0] is the application whose refresh response is lost: it refreshes once under load,
    // the answer never reaches it, and the server dies after committing that rotation.
    const [dropped, ...busy] = grants as [Grant, ...Grant[]];
    const workers = [...Array.from({ length: KEY_WORKERS }, (_, w) => keyWorker(w)), ...busy.map(refreshWorker)];
    await new Promise((r) => setTimeout(r, LOAD_MS));
    const lost = tokenRequest({ grant_type: 'refresh_token', refresh_token: dropped.acked }).then(
      (r) => r.arrayBuffer(),
      () => undefined,
    );
    const watcher = openStore(t.target);
    try {
      const until = Date.now() + 10_000;
      while (!(await watcher.oauth.tokens.findRefresh(hashSecret(dropped.acked)))?.token.rotatedAt) {
        if (Date.now() > until) throw new Error('the dropped refresh never committed');
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      await watcher.close();
    }
    const first = server;
    const killedAt = Date.now(); // every rotation in the database happened before this
    first.child.kill('SIGKILL');
    await first.exited;
    killed = true;
    await Promise.all([...workers, lost]);
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(unexpected).toEqual([]);
    expect(keys.length).toBeGreaterThan(KEY_WORKERS);
    for (const g of busy) expect(g.rotations).toBeGreaterThan(0);

    // Which grants had their in-flight rotation committed although its response never came back.
    const store = openStore(t.target);
    const lostResponses: string[] = [];
    try {
      for (const g of grants) {
        const found = await store.oauth.tokens.findRefresh(hashSecret(g.acked));
        expect(found, 'an acknowledged refresh token is missing from the database').toBeDefined();
        if (found!.token.rotatedAt !== null) lostResponses.push(g.user);
      }
    } finally {
      await store.close();
    }
    expect(lostResponses).toContain(dropped.user);

    // Restart on the same database, data directory and secret. The grants are checked first:
    // their replays rely on the reuse window (30 s by default) not having passed.
    server = await serve(t, port);
    expect(Date.now() - killedAt).toBeLessThan(20_000);

    // Every grant: the last acknowledged refresh token still refreshes — a rotation, or (its
    // successor was committed before the crash) the same successor again — and the user stays
    // signed in: the new tokens work and the chain goes on.
    for (const g of grants) {
      const again = await tokenRequest({ grant_type: 'refresh_token', refresh_token: g.acked });
      const body = (await again.json()) as { access_token: string; refresh_token: string; error?: string };
      expect(again.status, `${lostResponses.includes(g.user) ? 'lost-response' : 'uncommitted'} grant of ${g.user}: ${body.error}`).toBe(200);
      if (lostResponses.includes(g.user)) {
        // Idempotent inside the window: asking once more returns the same successor.
        const replay = await tokenRequest({ grant_type: 'refresh_token', refresh_token: g.acked });
        expect(replay.status).toBe(200);
        expect(((await replay.json()) as { refresh_token: string }).refresh_token).toBe(body.refresh_token);
      }
      expect(await agents(body.access_token)).toBe(200);
      const next = await tokenRequest({ grant_type: 'refresh_token', refresh_token: body.refresh_token });
      const nextBody = (await next.json()) as { access_token: string };
      expect(next.status).toBe(200);
      expect(await agents(nextBody.access_token)).toBe(200);
    }

    // Every acknowledged key exists and its secret verifies.
    const failedKeys: string[] = [];
    for (let i = 0; i < keys.length; i += 16) {
      const batch = keys.slice(i, i + 16);
      const statuses = await Promise.all(batch.map((k) => agents(k.secret)));
      statuses.forEach((s, j) => {
        if (s !== 200) failedKeys.push(`${batch[j]!.id}: ${s}`);
      });
    }
    expect(failedKeys, `${failedKeys.length} of ${keys.length} acknowledged keys lost`).toEqual([]);

    // Nothing secret in what the server printed in either life.
    const printed = first.output() + server.output();
    expect(printed).not.toContain(TEST_SERVER_SECRET);
    expect(printed).not.toContain(admin.key);
    for (const k of keys.slice(0, 20)) expect(printed).not.toContain(k.secret);
    console.info(`${backend.name}: ${keys.length} keys and ${grants.reduce((n, g) => n + g.rotations, 0)} rotations acknowledged before kill -9; ${lostResponses.length} of ${GRANTS} grants had a committed rotation whose response was lost`);
  }, 60_000);
});
