/**
 * `GET /metrics` over real HTTP: with GATEHOUSE_METRICS_TOKEN set, real requests (a valid and an
 * invalid key at /v1/agents, a path with an id, an unknown path, a throttled key exchange) show
 * up in the scrape with the right counts, labelled by route pattern and never by a raw path, id
 * or secret; the PostgreSQL pool is reported on PostgreSQL. A missing or wrong token is a 401;
 * without the setting the path is a 404 exactly like an unknown one.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, sqlite } from '../helpers/backends.js';
import { call, expectApiError } from '../helpers/http.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

const TOKEN = 'metrics-token-0123456789abcdef';

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{.*\})?) (\S+)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) throw new Error(`not an exposition line: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

async function scrape(url: string, token = TOKEN): Promise<{ text: string; samples: Map<string, number>; res: Response }> {
  const res = await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return { text, samples: samples(text), res };
}

describe.each(BACKENDS)('/metrics with a token, on $name', (backend) => {
  let secret = '';
  let keyId = '';
  const getServer = useServer(backend, { env: { GATEHOUSE_METRICS_TOKEN: TOKEN } }, async (server) => {
    const owner = await seedUser(server, 'metrics@example.com');
    const seeded = await seedKey(server, owner, ['read', 'admin']);
    secret = seeded.secret;
    keyId = seeded.key.id;
  });

  it('counts requests by route pattern and status, verifications by kind and result, cache lookups and throttles', async (ctx) => {
    const { url } = getServer(ctx);
    const before = await scrape(url);
    expect(before.res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(before.res.headers.get('cache-control')).toBe('no-store');

    expect((await call(url, 'GET', '/v1/agents', { token: secret })).res.status).toBe(200);
    expect((await call(url, 'GET', '/v1/agents', { token: secret })).res.status).toBe(200);
    const forged = `${secret.slice(0, -8)}AAAAAAAA`;
    expectApiError(await call(url, 'GET', '/v1/agents', { token: forged }), 401);
    expectApiError(await call(url, 'GET', `/v1/api-keys/${keyId}x`, { token: secret }), 404);
    expectApiError(await call(url, 'GET', '/no-such-place/sk_looks_secret'), 404);
    // The key exchange allows 10 failures per key_id in its window; the 11th attempt is refused.
    const attempt = () => call(url, 'POST', '/v0/auth', { json: { key_id: 'key_metricsthrottle', key_secret: forged, scopes: ['read'] } });
    for (let i = 0; i < 10; i++) expectApiError(await attempt(), 401);
    expectApiError(await attempt(), 429);

    const { text, samples: s } = await scrape(url);
    const delta = (name: string) => (s.get(name) ?? 0) - (before.samples.get(name) ?? 0);
    expect(delta('gatehouse_http_requests_total{method="GET",route="/v1/agents",status="200"}')).toBe(2);
    expect(delta('gatehouse_http_requests_total{method="GET",route="/v1/agents",status="401"}')).toBe(1);
    expect(delta('gatehouse_http_requests_total{method="GET",route="/v1/api-keys/:key_id",status="404"}')).toBe(1);
    expect(delta('gatehouse_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(delta('gatehouse_http_requests_total{method="POST",route="/v0/auth",status="401"}')).toBe(10);
    expect(delta('gatehouse_http_requests_total{method="POST",route="/v0/auth",status="429"}')).toBe(1);
    // The first scrape is counted once it has been answered.
    expect(s.get('gatehouse_http_requests_total{method="GET",route="/metrics",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(delta('gatehouse_http_request_duration_seconds_count{method="GET",route="/v1/agents"}')).toBe(3);
    expect(s.get('gatehouse_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/agents"}')).toBe(
      s.get('gatehouse_http_request_duration_seconds_count{method="GET",route="/v1/agents"}'),
    );

    // Three bearer keys at /v1/agents plus one at /v1/api-keys: three valid, one forged.
    expect(delta('gatehouse_credential_verifications_total{kind="api_key",result="valid"}')).toBe(3);
    expect(delta('gatehouse_credential_verifications_total{kind="api_key",result="invalid"}')).toBe(1);
    expect(delta('gatehouse_throttle_rejections_total{entry_point="key_exchange"}')).toBe(1);
    // The key was looked up once (a miss) and then answered from the cache; the forged secret
    // fails its checksum before any lookup.
    expect(delta('gatehouse_lookup_cache_misses_total{cache="api_key"}')).toBe(1);
    expect(delta('gatehouse_lookup_cache_hits_total{cache="api_key"}')).toBe(2);
    expect(s.has('gatehouse_lookup_cache_hits_total{cache="access_token"}')).toBe(true);
    expect(s.has('gatehouse_lookup_cache_hits_total{cache="client"}')).toBe(true);

    if (backend.name === 'postgres') {
      expect(s.get('gatehouse_db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(s.get('gatehouse_db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
      expect(s.get('gatehouse_db_pool_waiting_requests')).toBe(0);
    } else {
      expect(text).not.toContain('gatehouse_db_pool');
    }

    // No secret, id or raw path in any label, nor anywhere else in the exposition.
    for (const leaked of [secret, forged, keyId, TOKEN, 'no-such-place', 'sk_looks_secret', 'key_metricsthrottle']) {
      expect(text).not.toContain(leaked);
    }
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    expect([...routes].sort()).toEqual(['/metrics', '/v0/auth', '/v1/agents', '/v1/api-keys/:key_id', 'unmatched']);
    const kinds = new Set([...text.matchAll(/^gatehouse_credential_verifications_total\{kind="([^"]*)"/gm)].map((m) => m[1]));
    expect([...kinds].sort()).toEqual(['api_key']);
  });

  it('refuses a missing, malformed or wrong token with a 401 and no metrics', async (ctx) => {
    const { url } = getServer(ctx);
    const missing = await call(url, 'GET', '/metrics');
    expectApiError(missing, 401);
    expect(missing.res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer x', `Basic ${TOKEN}`, TOKEN]) {
      const r = await call(url, 'GET', '/metrics', { headers: { Authorization: authorization } });
      expectApiError(r, 401);
      expect(r.text).not.toContain('gatehouse_');
      expect(r.text).not.toContain(TOKEN);
    }
  });
});

describe('/metrics without GATEHOUSE_METRICS_TOKEN', () => {
  const getServer = useServer(sqlite);

  it('is a 404 exactly like an unknown path, with or without a token', async (ctx) => {
    const { url } = getServer(ctx);
    const unknown = await call(url, 'GET', '/no-such-path');
    for (const headers of [{}, { Authorization: `Bearer ${TOKEN}` }]) {
      const r = await call(url, 'GET', '/metrics', { headers });
      expectApiError(r, 404);
      expect(r.body).toEqual({ ...(unknown.body as object), detail: 'No route for GET /metrics' });
      expect(r.text).not.toContain('gatehouse_');
    }
  });
});
