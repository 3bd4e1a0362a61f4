/**
 * `gatehouse token`: the key-pair exchange from the command line, against a real server on
 * both backends. A recording proxy sits between the CLI and the server, so the test knows the
 * exact bytes the server answered (every token differs) and the exact request the CLI sent.
 */
import { spawn } from 'node:child_process';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import type { ApiKeyRecord } from '../../src/core/model/api-key.js';
import { BACKENDS } from '../helpers/backends.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';


interface Exchange {
  requestBody: string;
  status: number;
  responseBody: string;
}

/** Forwards every request to `target` and records what went each way. */
async function recordingProxy(target: string): Promise<{ url: string; seen: Exchange[]; close(): Promise<void> }> {
  const seen: Exchange[] = [];
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const upstream = await fetch(`${target}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      ...(body.length > 0 ? { body } : {}),
    });
    const bytes = Buffer.from(await upstream.arrayBuffer());
    seen.push({ requestBody: body.toString('utf8'), status: upstream.status, responseBody: bytes.toString('utf8') });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A loopback port nothing listens on. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

interface Run {
  code: number;
  out: string;
  err: string;
}

describe.each(BACKENDS)('gatehouse token on $name', (backend) => {
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let key: ApiKeyRecord;
  let secret: string;
  let otherSecret: string;

  const getServer = useServer(backend, {}, async (server) => {
    proxy = await recordingProxy(server.url);
    const user = await seedUser(server);
    ({ key, secret } = await seedKey(server, user, ['read', 'write']));
    ({ secret: otherSecret } = await seedKey(server, user, ['read']));
  });
  beforeEach(() => {
    proxy?.seen.splice(0);
  });
  // Registered after useServer: the proxy closes before the server does.
  afterAll(async () => {
    await proxy?.close();
  });

  const cli = async (argv: string[], env: Record<string, string> = {}): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { env: { ...getServer().backend.env, ...env }, out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => '' };
    const code = await runCli(['token', ...argv], io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('prints the raw body of POST /v0/auth, byte for byte, and exits 0', async (ctx) => {
    const server = getServer(ctx);
    const run = await cli(['--key-id', key.id, '--scopes', 'read,write', '--url', proxy.url], { GATEHOUSE_KEY_SECRET: secret });
    expect(run.code, run.err).toBe(0);
    expect(run.err).toBe('');
    expect(proxy.seen).toHaveLength(1);
    const [exchange] = proxy.seen;
    expect(exchange!.status).toBe(200);
    expect(run.out).toBe(exchange!.responseBody);
    // The secret travelled in the body, from the environment.
    expect(JSON.parse(exchange!.requestBody)).toEqual({ key_id: key.id, key_secret: secret, scopes: ['read', 'write'] });
    const body = JSON.parse(run.out) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['access_token', 'token_type', 'expires_in', 'scope']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read write' });
    const api = await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${body.access_token as string}` } });
    expect(api.status).toBe(200);
  });

  it('takes the URL from --url, else GATEHOUSE_URL, else the configured issuer', async (ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    const dead = await deadUrl();
    const env = { GATEHOUSE_KEY_SECRET: secret, GATEHOUSE_ISSUER: dead };
    const flag = await cli(['--key-id', key.id, '--scopes', 'read', '--url', `${proxy.url}/`], { ...env, GATEHOUSE_URL: dead });
    expect(flag.code, flag.err).toBe(0);
    const fromEnv = await cli(['--key-id', key.id, '--scopes', 'read'], { ...env, GATEHOUSE_URL: proxy.url });
    expect(fromEnv.code, fromEnv.err).toBe(0);
    const fromIssuer = await cli(['--key-id', key.id, '--scopes', 'read'], { GATEHOUSE_KEY_SECRET: secret, GATEHOUSE_ISSUER: proxy.url });
    expect(fromIssuer.code, fromIssuer.err).toBe(0);
    expect(proxy.seen.map((e) => e.status)).toEqual([200, 200, 200]);
    expect([flag.out, fromEnv.out, fromIssuer.out]).toEqual(proxy.seen.map((e) => e.responseBody));

    const unreachable = await cli(['--key-id', key.id, '--scopes', 'read'], env);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toContain(`cannot reach ${dead}/v0/auth`);
    expect(unreachable.out).toBe('');
  });

  it('reads the secret only from GATEHOUSE_KEY_SECRET: missing → exit 2, on argv → refused', async (ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    const missing = await cli(['--key-id', key.id, '--scopes', 'read', '--url', proxy.url]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('GATEHOUSE_KEY_SECRET is not set');
    expect(missing.out).toBe('');
    const empty = await cli(['--key-id', key.id, '--scopes', 'read', '--url', proxy.url], { GATEHOUSE_KEY_SECRET: '' });
    expect(empty.code).toBe(2);
    for (const argv of [
      ['--key-id', key.id, '--key-secret', secret, '--scopes', 'read', '--url', proxy.url],
      ['--key-id', key.id, '--scopes', 'read', '--url', proxy.url, secret],
    ]) {
      const run = await cli(argv);
      expect(run.code).toBe(2);
      expect(run.out).toBe('');
    }
    expect(proxy.seen).toEqual([]);
  });

  it('exits 2 without --key-id or --scopes, or with a URL that is not http(s)', async (ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    const env = { GATEHOUSE_KEY_SECRET: secret };
    const noKey = await cli(['--scopes', 'read', '--url', proxy.url], env);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('--key-id');
    const noScopes = await cli(['--key-id', key.id, '--url', proxy.url], env);
    expect(noScopes.code).toBe(2);
    expect(noScopes.err).toContain('--scopes');
    const badUrl = await cli(['--key-id', key.id, '--scopes', 'read', '--url', 'ftp://127.0.0.1/'], env);
    expect(badUrl.code).toBe(2);
    expect(proxy.seen).toEqual([]);
  });

  it('on 401 prints the error body unchanged on stderr and exits 1', async (ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    // A real secret, but of another key: the documented single 401 message.
    const run = await cli(['--key-id', key.id, '--scopes', 'read', '--url', proxy.url], { GATEHOUSE_KEY_SECRET: otherSecret });
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(proxy.seen).toHaveLength(1);
    expect(proxy.seen[0]!.status).toBe(401);
    expect(run.err).toBe(proxy.seen[0]!.responseBody);
    expect(JSON.parse(run.err)).toEqual({ detail: 'Invalid key_id or key_secret', status_code: 401, extra: {} });
  });

  it('on 403 and 400 prints the server’s body with its extra fields', async (ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    const env = { GATEHOUSE_KEY_SECRET: secret };
    const refused = await cli(['--key-id', key.id, '--scopes', 'read delete', '--url', proxy.url], env);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.err)).toMatchObject({ status_code: 403, extra: { refused_scopes: ['delete'], allowed_scopes: ['read', 'write'] } });
    const unknown = await cli(['--key-id', key.id, '--scopes', 'read,root', '--url', proxy.url], env);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.err)).toMatchObject({ status_code: 400, extra: { unknown_scopes: ['root'] } });
    expect([refused.err, unknown.err]).toEqual(proxy.seen.map((e) => e.responseBody));
  });
});

describe.each(BACKENDS.slice(0, 1))('the gatehouse token process on $name', (backend) => {
  const getServer = useServer(backend);

  it('writes the body and one newline to stdout, nothing to stderr, and the secret is not in argv', async (ctx) => {
    const server = getServer(ctx);
    const proxy = await recordingProxy(server.url);
    try {
      const user = await seedUser(server);
      const { key, secret } = await seedKey(server, user, ['read']);
      const env: NodeJS.ProcessEnv = { ...process.env, ...server.backend.env, GATEHOUSE_KEY_SECRET: secret, GATEHOUSE_URL: proxy.url };
      delete env.DATABASE_URL;
      delete env.GATEHOUSE_CONFIG;
      const argv = ['--import', 'tsx', 'packages/server/src/cli/run.ts', 'token', '--key-id', key.id, '--scopes', 'read'];
      expect(argv.join(' ')).not.toContain(secret);
      const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => stdout.push(d));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(0);
      expect(stderr).toBe('');
      expect(proxy.seen).toHaveLength(1);
      expect(Buffer.concat(stdout).toString('utf8')).toBe(`${proxy.seen[0]!.responseBody}\n`);
    } finally {
      await proxy.close();
    }
  });
});
