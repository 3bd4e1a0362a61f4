/**
 * `gatehouse serve` as operators run it: the start-up line says where to go (console URL,
 * database, data directory, where the server secret comes from, never the secret), and SIGTERM
 * drains: a request in flight when the signal arrives gets its response, the last-used times
 * waiting in the usage sink reach the database, and the process exits 0.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, type IncomingMessage, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { describeDatabase, startupSummary } from '../../src/startup-summary.js';
import { BACKENDS, type BackendTarget, sqlite } from '../helpers/backends.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { TEST_SERVER_SECRET } from '../helpers/runtime.js';
import { freePort, useServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';

async function cli(target: BackendTarget, argv: string[], stdin = ''): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { env: { ...target.env }, out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => stdin };
  const code = await runCli(argv, io);
  expect(code, err.join('\n')).toBe(0);
  return out.join('\n');
}


type LogLine = Record<string, unknown> & { msg: string };

describe('gatehouse serve as a real process on SQLite', () => {
  let target: BackendTarget | undefined;
  afterAll(async () => {
    await target?.cleanup();
  });

  it('names where to go at start-up, and on SIGTERM finishes the request in flight, writes pending last-used times and exits 0', async () => {
    target = (await sqlite.setup())!;
    await cli(target, ['users', 'create', '--email', 'ops@example.com', '--password-stdin'], PASSWORD);
    const newKey = async (name: string) => JSON.parse(await cli(target!, ['keys', 'create', '--owner', 'ops@example.com', '--name', name, '--scopes', 'read,write', '--json'])) as { key_id: string; key: string };
    const before = await newKey('used before the signal');
    const during = await newKey('used during the drain');

    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, ...target.env, PORT: String(port), HOST: '127.0.0.1', GATEHOUSE_ISSUER: issuer, GATEHOUSE_LOG_LEVEL: 'info' };
    for (const name of ['DATABASE_URL', 'GATEHOUSE_CONFIG', 'GATEHOUSE_SECRET', 'GATEHOUSE_METRICS_TOKEN', 'GATEHOUSE_SHUTDOWN_TIMEOUT_SECONDS']) delete env[name];
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/cli/run.ts', 'serve'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const lines: LogLine[] = [];
    const waiters: Array<() => void> = [];
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const complete = stdout.split('\n').slice(0, -1);
      for (const line of complete.slice(lines.length)) lines.push(JSON.parse(line) as LogLine);
      for (const w of waiters.splice(0)) w();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const logged = (msg: string) =>
      new Promise<LogLine>((resolve, reject) => {
        const check = () => {
          const found = lines.find((l) => l.msg === msg);
          if (found) return resolve(found);
          if (child.exitCode !== null) return reject(new Error(`exited before "${msg}": ${stderr}`));
          waiters.push(check);
        };
        check();
      });
    try {
      // Start-up: where to go and where things live.
      const listening = await logged('listening');
      expect(listening).toMatchObject({
        url: issuer,
        console: `${issuer}/console`,
        database: 'sqlite',
        database_file: join(target.dataDir, 'gatehouse.db'),
        data_dir: target.dataDir,
        secret_source: 'file',
        secret_file: join(target.dataDir, 'secret'),
        metrics: 'off',
      });

      const agent = new Agent({ keepAlive: true });
      const used = await fetch(`${issuer}/v1/agents`, { headers: { Authorization: `Bearer ${before.key}` } });
      expect(used.status).toBe(200);

      // A request in flight: its body arrives in two parts, the signal in between. The server
      // reads the whole body before authenticating, so the key is verified (and its use
      // recorded in the sink) during the drain.
      const body = JSON.stringify({ name: 'created while stopping' });
      let responded: (res: IncomingMessage) => void = () => {};
      let failed: (err: Error) => void = () => {};
      const response = new Promise<IncomingMessage>((resolve, reject) => {
        responded = resolve;
        failed = reject;
      });
      const inFlight = request(`${issuer}/v1/agents`, {
        method: 'POST',
        agent,
        headers: { Authorization: `Bearer ${during.key}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      }, responded);
      inFlight.on('error', failed);
      inFlight.write(body.slice(0, 10));
      await new Promise((r) => setTimeout(r, 200));

      const signalledAt = Date.now();
      child.kill('SIGTERM');
      await logged('stopping: finishing requests in flight');
      // Still draining: the process waits for the request.
      expect(child.exitCode).toBeNull();
      await new Promise((r) => setTimeout(r, 300));
      expect(child.exitCode).toBeNull();
      // No new connection is accepted meanwhile.
      await expect(fetch(`${issuer}/healthz`)).rejects.toThrow();

      inFlight.end(body.slice(10));
      const res = await response;
      let text = '';
      for await (const chunk of res) text += String(chunk);
      expect(res.statusCode, text).toBe(201);
      expect((JSON.parse(text) as { name: string }).name).toBe('created while stopping');
      const respondedAt = Date.now();

      expect(await exited).toBe(0);
      // The client keeps its connection alive; the server closes it once idle instead of
      // waiting for the keep-alive timeout (5 s).
      expect(Date.now() - respondedAt).toBeLessThan(4000);
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['signal received', 'stopping: finishing requests in flight', 'stopped']));
      agent.destroy();

      // Both keys' last-used times are in the database: the one recorded during the drain
      // could only have been written by the flush at shutdown (or a flush after the signal).
      const listed = JSON.parse(await cli(target, ['keys', 'list', '--json'])) as Array<{ key_id: string; last_used_at: string | null }>;
      const lastUsed = (id: string) => listed.find((k) => k.key_id === id)?.last_used_at ?? null;
      expect(lastUsed(before.key_id)).not.toBeNull();
      expect(lastUsed(during.key_id)).not.toBeNull();
      expect(Date.parse(lastUsed(during.key_id)!)).toBeGreaterThanOrEqual(signalledAt - 1000);

      // The secret the server generated is in its file, and nowhere in what it printed.
      const secret = readFileSync(join(target.dataDir, 'secret'), 'utf8').trim();
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(stdout + stderr).not.toContain(secret);
      expect(stdout + stderr).not.toContain(before.key);
      expect(stdout + stderr).not.toContain(during.key);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});

describe.each(BACKENDS)('the start-up line on $name', (backend) => {
  const getServer = useServer(backend, { env: { GATEHOUSE_SECRET: TEST_SERVER_SECRET, GATEHOUSE_METRICS_TOKEN: 'metrics-token-0123456789abcdef' } });

  it('names the console, the database, the data directory and GATEHOUSE_SECRET as the source, never the secret', (ctx) => {
    const server = getServer(ctx);
    const line = server.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l.msg === 'listening');
    const { config } = server.runtime;
    expect(line).toMatchObject({
      url: server.url,
      console: `${config.issuer}/console`,
      database: backend.name,
      data_dir: server.backend.dataDir,
      secret_source: 'GATEHOUSE_SECRET',
      metrics: `${config.issuer}/metrics`,
    });
    expect(line).not.toHaveProperty('secret_file');
    if (backend.name === 'postgres') {
      const url = new URL(server.backend.env.DATABASE_URL!);
      expect(line).toMatchObject({ database_host: `${url.hostname}:${url.port || '5432'}`, database_name: url.pathname.slice(1) });
    } else {
      expect(line).toMatchObject({ database_file: join(server.backend.dataDir, 'gatehouse.db') });
    }
    const all = server.logs.join('\n');
    expect(all).not.toContain(TEST_SERVER_SECRET);
    expect(all).not.toContain('metrics-token-0123456789abcdef');
  });
});

describe('the database as the start-up line names it', () => {
  it('gives PostgreSQL host, port and database name, never the user or password', () => {
    const d = describeDatabase({ postgresUrl: 'postgres://admin:hunter2-very-secret@db.internal:6543/gatehouse?sslmode=require' });
    expect(d).toEqual({ database: 'postgres', database_host: 'db.internal:6543', database_name: 'gatehouse' });
    expect(JSON.stringify(d)).not.toMatch(/hunter2|admin/);
  });

  it('reads a socket host and database from the query string, and survives an unparsable URL', () => {
    expect(describeDatabase({ postgresUrl: 'postgresql:///?host=/var/run/postgresql&dbname=gh' })).toEqual({
      database: 'postgres',
      database_host: '/var/run/postgresql:5432',
      database_name: 'gh',
    });
    const bad = describeDatabase({ postgresUrl: 'postgres://user:p@ss:word@[bad' });
    expect(bad.database).toBe('postgres');
    expect(JSON.stringify(bad)).not.toContain('word');
  });

  it('is part of a summary that names the secret file when GATEHOUSE_SECRET is unset', () => {
    const config = loadConfig({ GATEHOUSE_DATA_DIR: '/srv/gatehouse', DATABASE_URL: 'postgres://u:pw-secret@pg:5432/auth' });
    const s = startupSummary(config, 'http://127.0.0.1:8080');
    expect(s).toMatchObject({ console: 'http://localhost:8080/console', data_dir: '/srv/gatehouse', secret_source: 'file', secret_file: '/srv/gatehouse/secret', database_host: 'pg:5432' });
    expect(JSON.stringify(s)).not.toContain('pw-secret');
  });
});
