import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

describe.each(BACKENDS)('the seed request on $name', (backend) => {
  const getServer = useServer(backend);

  it('GET /v1/agents with Authorization: Bearer sk_… and Content-Type: application/json', async (ctx) => {
    const server = getServer(ctx);
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
