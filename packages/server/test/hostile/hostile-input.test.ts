/**
 * The permanent hostile-input suite: hundreds of requests no honest client sends, to every
 * route the server mounts, on SQLite and on PostgreSQL. It protects four promises: no request
 * gets a 5xx; every error comes in its surface's documented shape; no response carries a
 * secret of the deployment; and the server is still healthy, with its keys working, afterwards.
 * The route list comes from the app itself, so a new route is in the table the day it lands.
 */
import type { JWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { call, consoleLogin, obj } from '../helpers/http.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';
import { bearerShapes } from './bearer-shapes.js';
import { brokenPromises, describeFailure } from './contract.js';
import { protocolRows } from './protocol-rows.js';
import { isConsoleRoute, mountedRoutes, openApiPath } from './routes.js';
import { closeConnections, inBatches, send } from './send.js';
import { type Row, hostileTable } from './table.js';

const PASSWORD = 'correct horse battery staple';
const METRICS_TOKEN = 'metrics-token-for-the-hostile-suite-0123456789';
const CONCURRENCY = 10;
const MIN_ROWS = 600;
const REDIRECT_URI = 'https://app.example.com/callback';

afterAll(closeConnections);

describe.each(BACKENDS)('hostile input on $name', (backend) => {
  let rows: Row[] = [];
  let adminKey = '';
  let victimKeyId = '';
  const secrets: string[] = [PASSWORD, METRICS_TOKEN];

  const getServer = useServer(backend, { env: { GATEHOUSE_METRICS_TOKEN: METRICS_TOKEN } }, async (s) => {
    const admin = await seedUser(s, `hostile-${Date.now()}@example.com`, PASSWORD);
    const adminSeed = await seedKey(s, admin, ['read', 'write', 'delete', 'admin']);
    adminKey = adminSeed.secret;
    const victim = await seedKey(s, admin, ['read']);
    victimKeyId = victim.key.id;
    const app = async (name: string) => {
      const r = await call(s.url, 'POST', '/v1/applications', { token: adminKey, json: { name, redirect_uris: [REDIRECT_URI], scopes: ['read', 'write'] } });
      expect(r.res.status, r.text).toBe(201);
      return { id: String(obj(r).client_id), secret: String(obj(r).client_secret) };
    };
    const client = await app('hostile client');
    const victimApp = await app('hostile victim');
    const agent = await call(s.url, 'POST', '/v1/agents', { token: adminKey, json: { name: 'hostile target' } });
    const grant = await call(s.url, 'POST', '/oauth/token', { body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret, scope: 'read' }) });
    expect(grant.res.status, grant.text).toBe(200);
    const exchanged = await call(s.url, 'POST', '/v0/auth', { json: { key_id: adminSeed.key.id, key_secret: adminKey, scopes: ['read'] } });
    expect(exchanged.res.status, exchanged.text).toBe(200);
    const signer = await s.runtime.keyset.signer();
    const jwks = obj(await call(s.url, 'GET', '/.well-known/jwks.json')).keys as JWK[];
    const skills = obj(await call(s.url, 'GET', '/skills')).data as Array<{ name: string }>;
    const session = await consoleLogin(s.url, admin.email, PASSWORD);
    const jwt = String(obj(exchanged).access_token);
    const accessToken = String(obj(grant).access_token);
    secrets.push(adminKey, victim.secret, client.secret, victimApp.secret, jwt, accessToken, session.jar.get('gh_session')!);
    const bearers = await bearerShapes({
      issuer: s.runtime.config.issuer,
      jwt,
      kid: signer.kid,
      privateKey: signer.key,
      publicJwk: jwks.find((k) => k.kid === signer.kid)!,
      sub: admin.id,
      keySecret: victim.secret,
      keyId: victim.key.id,
      accessToken,
    });
    const table = hostileTable({
      routes: mountedRoutes(s.runtime),
      ids: { key: victim.key.id, app: victimApp.id, agent: String(obj(agent).id), skill: skills[0]!.name },
      adminKey,
      session: { cookie: session.jar.header(), csrf: session.csrf },
      client,
      bearers,
    });
    // Rows that may delete, revoke or roll the targets run last, so the others still find them.
    const destructive = (r: Row) => (r.method === 'DELETE' || /\/(delete|revoke|roll|rotate-secret|logout)$/.test(r.path.split('?')[0]!) ? 1 : 0);
    rows = [...table, ...protocolRows({ client, redirectUri: REDIRECT_URI, keyId: victim.key.id, session: { cookie: session.jar.header(), csrf: session.csrf }, bearers })].sort((a, b) => destructive(a) - destructive(b));
  });

  it('covers every mounted route, and every API route it covers is in the OpenAPI document', async (ctx) => {
    const s = getServer(ctx);
    const doc = obj(await call(s.url, 'GET', '/openapi.json')) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    const mounted = mountedRoutes(s.runtime);
    const api = mounted.filter((r) => !isConsoleRoute(r.pattern)).map((r) => `${r.method} ${openApiPath(r.pattern)}`);
    expect(api.filter((r) => !documented.has(r)), 'mounted but not documented').toEqual([]);
    expect([...documented].filter((r) => !api.includes(r)), 'documented but not mounted').toEqual([]);
    const covered = new Set(rows.map((r) => r.route));
    expect(mounted.map((r) => `${r.method} ${r.pattern}`).filter((r) => !covered.has(r)), 'routes without hostile rows').toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(MIN_ROWS);
  });

  it('answers every hostile request without a 5xx, in the documented error shape, echoing no secret', async (ctx) => {
    const s = getServer(ctx);
    const started = performance.now();
    const failures = (
      await inBatches(rows, CONCURRENCY, async (row) => {
        try {
          const res = await send(s.url, row);
          const broken = brokenPromises(row, res, secrets);
          return broken.length > 0 ? describeFailure(row, res, broken) : undefined;
        } catch (err) {
          return describeFailure(row, err as Error, ['no answer']);
        }
      })
    ).filter((f) => f !== undefined);
    console.info(`${backend.name}: ${rows.length} hostile requests in ${Math.round(performance.now() - started)} ms, ${failures.length} failed`);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 120_000);

  it('is still healthy afterwards: /healthz 200, the admin key works, nothing was logged as an internal error', async (ctx) => {
    const s = getServer(ctx);
    expect((await call(s.url, 'GET', '/healthz')).res.status).toBe(200);
    expect((await call(s.url, 'GET', '/readyz')).res.status).toBe(200);
    const key = await call(s.url, 'GET', `/v1/api-keys/${victimKeyId}`, { token: adminKey });
    expect(key.res.status, key.text).toBe(200);
    expect((await call(s.url, 'GET', '/v1/agents', { token: adminKey })).res.status).toBe(200);
    expect(s.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });
});
