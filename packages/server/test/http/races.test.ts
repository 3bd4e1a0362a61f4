/**
 * Parallel writes to one key over /v1, on both databases: 40 rolls at once and 40 revocations
 * at once. PostgreSQL runs them as SERIALIZABLE transactions, so most conflict and are retried;
 * none may surface as a 500, and the key ends in one consistent state.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { call, obj } from '../helpers/http.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

const PARALLEL = 40;

describe.each(BACKENDS)('parallel writes to one key on $name', (backend) => {
  let admin = '';
  const server = useServer(backend, {}, async (s) => {
    const owner = await seedUser(s, `races-${Date.now()}@example.com`);
    admin = (await seedKey(s, owner, ['read', 'write', 'admin'])).secret;
  });

  const newKey = async (url: string) => {
    const r = await call(url, 'POST', '/v1/api-keys', { token: admin, json: { name: 'raced', scopes: ['read'] } });
    expect(r.res.status, r.text).toBe(201);
    return obj(r) as { key_id: string; key: string };
  };

  it(`${PARALLEL} parallel rolls of one key: no 5xx, each success a distinct working secret, the key stays active`, async (ctx) => {
    const s = server(ctx);
    const key = await newKey(s.url);
    const results = await Promise.all(Array.from({ length: PARALLEL }, () => call(s.url, 'POST', `/v1/api-keys/${key.key_id}/roll`, { token: admin, json: { grace_seconds: 0 } })));
    const statuses = results.map((r) => r.res.status);
    expect(statuses.filter((st) => st >= 500), JSON.stringify(statuses)).toEqual([]);
    expect(statuses.every((st) => st === 200 || st === 409), JSON.stringify(statuses)).toBe(true);
    const secrets = results.filter((r) => r.res.status === 200).map((r) => String(obj(r).key));
    expect(secrets.length).toBeGreaterThan(0);
    expect(new Set(secrets).size).toBe(secrets.length);
    // Exactly one secret is live afterwards: the last roll's (grace 0 retires the others).
    const live = [];
    for (const secret of [key.key, ...secrets]) if ((await call(s.url, 'GET', '/v1/agents', { token: secret })).res.status === 200) live.push(secret);
    expect(live).toHaveLength(1);
    expect(obj(await call(s.url, 'GET', `/v1/api-keys/${key.key_id}`, { token: admin })).status).toBe('active');
  });

  it(`${PARALLEL} parallel revocations of one key: no 5xx, all 200 (idempotent), the key is revoked`, async (ctx) => {
    const s = server(ctx);
    const key = await newKey(s.url);
    const results = await Promise.all(Array.from({ length: PARALLEL }, () => call(s.url, 'POST', `/v1/api-keys/${key.key_id}/revoke`, { token: admin })));
    const statuses = results.map((r) => r.res.status);
    expect(statuses.every((st) => st === 200 || st === 409), JSON.stringify(statuses)).toBe(true);
    expect(statuses.filter((st) => st === 200).length).toBeGreaterThan(0);
    expect(obj(await call(s.url, 'GET', `/v1/api-keys/${key.key_id}`, { token: admin })).status).toBe('revoked');
    expect((await call(s.url, 'GET', '/v1/agents', { token: key.key })).res.status).toBe(401);
  });
});
