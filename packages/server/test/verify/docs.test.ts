/**
 * docs/verify.md's examples, exactly as printed: every ```ts file=NAME block is written to a
 * scratch project where `@gatehouse/verify` resolves to this repository's library, type-checked
 * with strict settings, then started as its own process and called over real HTTP with real
 * credentials from a real Gatehouse — metadata, 401 without credentials, 403 for a missing
 * scope, and success for an API key, a /v0/auth JWT and an OAuth access token.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';
import { sqlite } from '../helpers/backends.js';
import { apiKey, clientCredentialsToken, exchangeJwt, tamper, useIssuer } from './support.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs/verify.md'), 'utf8');
const EXAMPLES = [...DOC.matchAll(/```ts file=([\w.-]+)\n([\s\S]*?)```/g)].map((m) => ({ name: m[1]!, code: m[2]! }));
const API_URL = 'https://api.example.com';

/** A project directory whose node_modules sees the repository's packages, and `@gatehouse/verify` as the source. */
function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-verify-docs-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@gatehouse/verify'), { recursive: true });
  for (const name of ['hono', '@hono', 'express', 'fastify', '@types']) symlinkSync(join(REPO_ROOT, 'node_modules', name), join(modules, name), 'dir');
  writeFileSync(join(modules, '@gatehouse/verify/package.json'), JSON.stringify({ name: '@gatehouse/verify', type: 'module', exports: { '.': './index.mjs' } }));
  writeFileSync(join(modules, '@gatehouse/verify/index.mjs'), `export * from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'packages/verify/src/index.ts')).href)};\n`);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  for (const { name, code } of EXAMPLES) writeFileSync(join(dir, name), code);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
        paths: { '@gatehouse/verify': [join(REPO_ROOT, 'packages/verify/src/index.ts')] },
      },
      files: EXAMPLES.map((e) => e.name),
    }),
  );
  return dir;
}

/** Starts an example and resolves with its port once it says it is listening. */
function start(dir: string, file: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolvePort, reject) => {
    const child = spawn(join(REPO_ROOT, 'node_modules/.bin/tsx'), [file], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${file} did not start: ${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort({ child, port: Number(m[1]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}: ${out}`));
    });
  });
}

describe('docs/verify.md examples', () => {
  const getIssuer = useIssuer(sqlite);
  let dir = '';
  beforeAll(() => {
    dir = scratchProject();
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has one complete server per adapter', () => {
    expect(EXAMPLES.map((e) => e.name)).toEqual(['hono-api.ts', 'express-api.ts', 'fastify-api.ts', 'node-api.ts']);
    for (const { code } of EXAMPLES) expect(code).toContain("from '@gatehouse/verify'");
  });

  it('type-checks every example under strict settings', async () => {
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch((err: { stdout?: string; stderr?: string }) => err);
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`).toBe('');
  }, 120_000);

  it.for(EXAMPLES.map((e) => e.name))('%s runs and protects its routes', async (name, ctx) => {
    const is = getIssuer(ctx);
    const { child, port } = await start(dir, name, {
      GATEHOUSE_ISSUER: is.server.url,
      API_URL,
      GATEHOUSE_CLIENT_ID: is.introspection.clientId,
      GATEHOUSE_CLIENT_SECRET: is.introspection.clientSecret,
      PORT: '0',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const call = async (method: string, token?: string) => {
        const res = await fetch(`${base}/v1/things`, { method, headers: token ? { Authorization: `Bearer ${token}` } : {} });
        return { status: res.status, www: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> };
      };
      const metadata = await fetch(`${base}/.well-known/oauth-protected-resource`);
      expect(await metadata.json()).toEqual({ resource: API_URL, authorization_servers: [is.server.url], scopes_supported: ['read', 'write'], bearer_methods_supported: ['header'] });

      const anonymous = await call('GET');
      expect(anonymous.status).toBe(401);
      expect(anonymous.www).toBe(`Bearer realm="example", resource_metadata="${API_URL}/.well-known/oauth-protected-resource"`);

      const reader = await apiKey(is, ['read']);
      expect(await call('GET', reader.secret)).toMatchObject({ status: 200, body: { owner: is.user.id, things: [] } });
      const denied = await call('POST', reader.secret);
      expect(denied.status).toBe(403);
      expect(denied.www).toBe(`Bearer realm="example", error="insufficient_scope", scope="write", resource_metadata="${API_URL}/.well-known/oauth-protected-resource"`);
      expect(denied.body).toEqual({ detail: 'Missing required scope: write', status_code: 403, extra: { required_scopes: ['write'] } });

      const jwt = await exchangeJwt(is, ['read', 'write']);
      expect(await call('POST', jwt.token)).toMatchObject({ status: 201, body: { created: true, by: jwt.keyId } });
      const at = await clientCredentialsToken(is, is.opaqueApp, 'write');
      expect(await call('POST', at)).toMatchObject({ status: 201, body: { created: true, by: is.opaqueApp.id } });
      expect((await call('GET', at)).status).toBe(403);

      const forged = await call('GET', tamper(reader.secret));
      expect(forged.status).toBe(401);
      expect(forged.www).toMatch(/^Bearer realm="example", error="invalid_token", error_description="[^"]+", resource_metadata=/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
