/**
 * Every route fits Hono's regexp router (one regular expression per method). A static path
 * beside a parameter at the same place (say `/x/new` and `/x/:id`) silently drops every request
 * to the slower trie router.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { sqlite } from '../helpers/backends.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

describe('routing', () => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(sqlite);
    if (!server) throw new Error('SQLite backend unavailable');
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it("runs on Hono's regexp router", () => {
    const app = createApp(server!.runtime);
    app.router.match('GET', '/v1/agents');
    expect(app.router.name).toBe('SmartRouter + RegExpRouter');
  });
});
