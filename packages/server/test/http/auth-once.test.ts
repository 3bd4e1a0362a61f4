/**
 * Each request is authenticated once: a middleware registered for both `/x` and `/x/*` would
 * run twice on `/x` (the wildcard matches the bare path too), doubling every credential check.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { sqlite } from '../helpers/backends.js';
import { consoleLogin } from '../helpers/http.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';

describe('one credential check per request', () => {
  let secret = '';
  let email = '';

  const getServer = useServer(sqlite, {}, async (server) => {
    const user = await seedUser(server, undefined, PASSWORD);
    email = user.email;
    ({ secret } = await seedKey(server, user, ['read', 'admin']));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
  });

  it.for(['/v1/agents', '/v1/agents/agt_missing', '/v1/api-keys', '/v1/applications'])('GET %s verifies the key once', async (path, ctx) => {
    const server = getServer(ctx);
    const verify = vi.spyOn(server.runtime.apiKeys, 'verify');
    const res = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${secret}` } });
    expect([200, 404]).toContain(res.status);
    expect(verify).toHaveBeenCalledTimes(1);
    verify.mockRestore();
  });

  it.for(['/console', '/console/settings/api-keys'])('GET %s looks the session up once', async (path, ctx) => {
    const server = getServer(ctx);
    const session = await consoleLogin(server.url, email, PASSWORD);
    const find = vi.spyOn(server.runtime.store.accounts, 'findSession');
    const res = await fetch(`${server.url}${path}`, { headers: { Cookie: session.jar.header() }, redirect: 'manual' });
    expect([200, 302, 303]).toContain(res.status);
    expect(find).toHaveBeenCalledTimes(1);
    find.mockRestore();
  });
});
