/**
 * Every route fits Hono's regexp router (one regular expression per method). A static path
 * beside a parameter at the same place (say `/x/new` and `/x/:id`) silently drops every request
 * to the slower trie router.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { sqlite } from '../helpers/backends.js';
import { useServer } from '../helpers/server.js';

describe('routing', () => {
  const getServer = useServer(sqlite);

  it("runs on Hono's regexp router", (ctx) => {
    const app = createApp(getServer(ctx).runtime);
    app.router.match('GET', '/v1/agents');
    expect(app.router.name).toBe('SmartRouter + RegExpRouter');
  });
});
