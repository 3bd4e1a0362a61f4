/**
 * The Node examples of docs/client.md, run as written against a real server: each
 * `<!-- example: name -->` block is bundled with esbuild (`@gatehouse/client` → packages/client/src) and
 * imported with the environment variables it reads; what it prints is checked. The browser
 * examples run in Chromium (browser.test.ts). Every example in the guide must be run by a test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { revokeKey } from '../../src/core/keys.js';
import { sqlite } from '../helpers/backends.js';
import { type TestServer, seedKey, seedUser, systemActor, useServer } from '../helpers/server.js';
import { bundleExample, docExamples, example } from './examples.js';
import { requestCount } from './support.js';

const NODE_EXAMPLES = ['api-key', 'json', 'key-pair', 'errors', 'retry'];
const BROWSER_EXAMPLES = ['browser-gatehouse', 'browser-login', 'browser-callback'];

describe('docs/client.md examples', () => {
  let dir = '';
  let runs = 0;

  const getServer = useServer(sqlite);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-client-docs-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs example `name` with `env` set; returns the arguments of each console.log call. */
  async function run(name: string, env: Record<string, string>): Promise<unknown[][]> {
    const file = join(dir, `${name}-${++runs}.mjs`);
    writeFileSync(file, await bundleExample(example(name), 'node'));
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import(/* @vite-ignore */ pathToFileURL(file).href);
      return log.mock.calls;
    } finally {
      log.mockRestore();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  const apiKey = async (server: TestServer, scopes: string[]) => (await seedKey(server, await seedUser(server), scopes)).secret;

  it('has exactly the examples the suites run', () => {
    expect([...docExamples().keys()].sort()).toEqual([...NODE_EXAMPLES, ...BROWSER_EXAMPLES].sort());
  });

  it('api-key: the seed three lines answer 200 with the agents', async (ctx) => {
    const server = getServer(ctx);
    const logged = await run('api-key', { GATEHOUSE_URL: server.url, GATEHOUSE_API_KEY: await apiKey(server, ['read']) });
    expect(logged).toEqual([[200, { data: [] }]]);
  });

  it('json: creates an agent and lists it', async (ctx) => {
    const server = getServer(ctx);
    const logged = await run('json', { GATEHOUSE_URL: server.url, GATEHOUSE_API_KEY: await apiKey(server, ['read', 'write']) });
    expect(logged).toEqual([['Support bot', 1]]);
  });

  it('key-pair: one exchange at /v0/auth, then the call', async (ctx) => {
    const server = getServer(ctx);
    const { key, secret } = await seedKey(server, await seedUser(server), ['read']);
    const before = requestCount(server, 'POST', '/v0/auth');
    const logged = await run('key-pair', { GATEHOUSE_URL: server.url, GATEHOUSE_KEY_ID: key.id, GATEHOUSE_KEY_SECRET: secret });
    expect(logged).toEqual([[0]]);
    expect(requestCount(server, 'POST', '/v0/auth') - before).toBe(1);
  });

  it('errors: a revoked key prints status, detail and extra', async (ctx) => {
    const server = getServer(ctx);
    const owner = await seedUser(server);
    const { key, secret } = await seedKey(server, owner, ['read']);
    await revokeKey(server.runtime, { ...systemActor, user: owner }, key.id);
    const logged = await run('errors', { GATEHOUSE_URL: server.url, GATEHOUSE_API_KEY: secret });
    expect(logged).toEqual([[401, expect.stringMatching(/\S/), {}]]);
  });

  it('retry: the configured client works like the others', async (ctx) => {
    const server = getServer(ctx);
    const logged = await run('retry', { GATEHOUSE_URL: server.url, GATEHOUSE_API_KEY: await apiKey(server, ['read']) });
    expect(logged).toEqual([[200]]);
  });
});
