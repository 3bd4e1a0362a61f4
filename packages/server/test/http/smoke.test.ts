import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type TestServer, seedKey, seedUser, startTestServer } from '../helpers/server.js';

describe.each(BACKENDS)('the seed request on $name', (backend) => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('GET /v1/agents with Authorization: Bearer sk_… and Content-Type: application/json', async (ctx) => {
    if (!server) return ctx.skip();
    const user = await seedUser(server);
    const { secret } = await seedKey(server, user, ['read']);
    expect(secret).toMatch(/^sk_[0-9A-Za-z]{36}$/);
    const res = await fetch(`${server.url}/v1/agents`, {
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: [] });
  });
});
