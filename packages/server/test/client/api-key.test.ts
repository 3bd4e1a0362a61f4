/**
 * API-key mode against a real server on both backends: the seed's three lines
 * (`new Gatehouse({ baseUrl, apiKey })` → `gh.fetch('/v1/agents')`), the JSON helper, and every
 * failure surfacing as a `GatehouseApiError` with the server's `detail` and `extra`.
 */
import { describe, expect, it } from 'vitest';
import { Gatehouse, GatehouseApiError, GatehouseClientError } from '@gatehouse/client';
import { BACKENDS } from '../helpers/backends.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';
import { recordingFetch } from './support.js';

describe.each(BACKENDS)('gatehouse/client with an API key on $name', (backend) => {
  const getServer = useServer(backend);

  it('sends Authorization: Bearer sk_… and gets 200 from /v1/agents', async (ctx) => {
    const server = getServer(ctx);
    const { secret } = await seedKey(server, await seedUser(server), ['read']);
    const sent: Parameters<typeof recordingFetch>[0] = [];
    const gh = new Gatehouse({ baseUrl: server.url, apiKey: secret, fetch: recordingFetch(sent) });
    const res = await gh.fetch('/v1/agents');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: [] });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe(`${server.url}/v1/agents`);
    expect(sent[0]!.headers.get('authorization')).toBe(`Bearer ${secret}`);
  });

  it('creates and reads JSON with gh.json', async (ctx) => {
    const server = getServer(ctx);
    const { secret } = await seedKey(server, await seedUser(server), ['read', 'write']);
    const gh = new Gatehouse({ baseUrl: `${server.url}/`, apiKey: secret });
    const created = await gh.json<{ id: string; name: string }>('/v1/agents', { method: 'POST', json: { name: 'Support bot' } });
    expect(created.name).toBe('Support bot');
    expect(await gh.json('/v1/agents')).toEqual({ data: [expect.objectContaining({ id: created.id, name: 'Support bot' })] });
    expect(await gh.json(`v1/agents/${created.id}`)).toMatchObject({ id: created.id });
  });

  it('surfaces a 401 as GatehouseApiError with the server detail and challenge', async (ctx) => {
    const server = getServer(ctx);
    const gh = new Gatehouse({ baseUrl: server.url, apiKey: 'sk_000000000000000000000000000000000000' });
    const err = await gh.json('/v1/agents').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatehouseApiError);
    expect(err).toBeInstanceOf(GatehouseClientError);
    const api = err as GatehouseApiError;
    expect(api.status).toBe(401);
    expect(api.detail).toMatch(/\S/);
    expect(api.extra).toEqual({});
    expect(api.wwwAuthenticate).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    // gh.fetch behaves like fetch: the 401 is returned, not thrown.
    expect((await gh.fetch('/v1/agents')).status).toBe(401);
  });

  it('surfaces 403 insufficient scope and 422 validation errors with their extra', async (ctx) => {
    const server = getServer(ctx);
    const { secret } = await seedKey(server, await seedUser(server), ['read']);
    const gh = new Gatehouse({ baseUrl: server.url, apiKey: secret });
    const forbidden = (await gh.json('/v1/agents', { method: 'POST', json: { name: 'x' } }).catch((e: unknown) => e)) as GatehouseApiError;
    expect(forbidden).toBeInstanceOf(GatehouseApiError);
    expect(forbidden.status).toBe(403);
    expect(forbidden.extra).toEqual({ required_scopes: ['write'] });
    const { secret: writer } = await seedKey(server, await seedUser(server), ['write']);
    const invalid = (await new Gatehouse({ baseUrl: server.url, apiKey: writer }).json('/v1/agents', { method: 'POST', json: { nom: 'x' } }).catch((e: unknown) => e)) as GatehouseApiError;
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.extra).length).toBeGreaterThan(0);
  });

  it('never sends the key to another origin', async (ctx) => {
    const server = getServer(ctx);
    const sent: Parameters<typeof recordingFetch>[0] = [];
    const gh = new Gatehouse({ baseUrl: server.url, apiKey: 'sk_abc', fetch: recordingFetch(sent) });
    for (const target of ['https://evil.example/v1/agents', '//evil.example/v1/agents', new URL('http://127.0.0.2/v1/agents')]) {
      await expect(gh.fetch(target)).rejects.toMatchObject({ code: 'foreign_origin' });
    }
    expect(sent).toHaveLength(0);
  });

  it('refuses to start without a key or a base URL', () => {
    expect(() => new Gatehouse({ baseUrl: 'http://127.0.0.1:1', apiKey: undefined })).toThrow(/apiKey is empty/);
    expect(() => new Gatehouse({ baseUrl: undefined, apiKey: 'sk_x' })).toThrow(/baseUrl is required/);
    expect(() => new Gatehouse({ baseUrl: 'http://127.0.0.1:1', apiKey: 'sk_x' }).oauth).toThrow(GatehouseClientError);
  });
});
