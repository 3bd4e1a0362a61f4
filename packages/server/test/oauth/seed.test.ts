/**
 * The seed document's OAuth steps, verbatim (host aside): the authorization URL of Step 2
 * (no state, no PKCE), the token exchange of Step 3 and the refresh call, sent as curl sends
 * `-d` pairs — joined with `&`, not re-encoded, `Content-Type: application/x-www-form-urlencoded`,
 * client_id and client_secret in the body — and Step 4's `Authorization: Bearer at_…` call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type TestServer, seedUser, startTestServer } from '../helpers/server.js';
import { Browser } from '../helpers/http.js';
import { PASSWORD, REDIRECT_URI, authorize, registerApp } from './support.js';

/** What `curl -X POST URL -H "Content-Type: application/x-www-form-urlencoded" -d a -d b …` sends. */
function curlForm(url: string, pairs: string[]): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: '*/*' },
    body: pairs.join('&'),
  });
}

const TOKEN_FIELDS = ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'];

async function expectTokenResponse(res: Response, scope: string): Promise<{ access_token: string; refresh_token: string }> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(TOKEN_FIELDS);
  expect(body.access_token).toMatch(/^at_[0-9A-Za-z]{36}$/);
  expect(body.refresh_token).toMatch(/^rt_[0-9A-Za-z]{36}$/);
  expect(body.expires_in).toBe(3600);
  expect(body.token_type).toBe('Bearer');
  expect(body.scope).toBe(scope);
  return body as { access_token: string; refresh_token: string };
}

describe.each(BACKENDS)("the seed's OAuth calls on $name", (backend) => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('Step 2 → 3 → 4 and the refresh call work as written', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'confidential', { scopes: ['read', 'write', 'delete'] });
    const YOUR_CLIENT_ID = app.client.id;
    const YOUR_CLIENT_SECRET = app.secret!;
    const YOUR_REDIRECT_URI = REDIRECT_URI;
    expect(YOUR_CLIENT_ID).toMatch(/^app_/);
    expect(YOUR_CLIENT_SECRET).toMatch(/^cs_[0-9A-Za-z]{36}$/);

    // Step 2, as the seed writes it: no state, no PKCE, a literal space in the scope.
    const step2 = `${s.url}/oauth/authorize?client_id=${YOUR_CLIENT_ID}&redirect_uri=${YOUR_REDIRECT_URI}&response_type=code&scope=read write`;
    const email = 'seed-user@example.com';
    await seedUser(s, email, PASSWORD);
    const back = await authorize(new Browser(s.url), step2, { email, password: PASSWORD });
    expect(`${back.origin}${back.pathname}`).toBe(YOUR_REDIRECT_URI);
    expect([...back.searchParams.keys()].sort()).toEqual(['code', 'iss']);
    expect(back.searchParams.get('iss')).toBe(s.url);
    const AUTHORIZATION_CODE = back.searchParams.get('code')!;

    // Step 3.
    const exchanged = await curlForm(`${s.url}/oauth/token`, [
      'grant_type=authorization_code',
      `code=${AUTHORIZATION_CODE}`,
      `client_id=${YOUR_CLIENT_ID}`,
      `client_secret=${YOUR_CLIENT_SECRET}`,
      `redirect_uri=${YOUR_REDIRECT_URI}`,
    ]);
    const first = await expectTokenResponse(exchanged, 'read write');

    // Step 4.
    const agents = await fetch(`${s.url}/v1/agents`, { headers: { Authorization: `Bearer ${first.access_token}` } });
    expect(agents.status).toBe(200);
    expect(await agents.json()).toEqual({ data: [] });

    // Refresh Token.
    const refreshed = await curlForm(`${s.url}/oauth/token`, [
      'grant_type=refresh_token',
      `refresh_token=${first.refresh_token}`,
      `client_id=${YOUR_CLIENT_ID}`,
      `client_secret=${YOUR_CLIENT_SECRET}`,
    ]);
    const second = await expectTokenResponse(refreshed, 'read write');
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    const again = await fetch(`${s.url}/v1/agents`, { headers: { Authorization: `Bearer ${second.access_token}` } });
    expect(again.status).toBe(200);

    // The same code a second time is refused with an RFC 6749 §5.2 body.
    const replay = await curlForm(`${s.url}/oauth/token`, [
      'grant_type=authorization_code',
      `code=${AUTHORIZATION_CODE}`,
      `client_id=${YOUR_CLIENT_ID}`,
      `client_secret=${YOUR_CLIENT_SECRET}`,
      `redirect_uri=${YOUR_REDIRECT_URI}`,
    ]);
    expect(replay.status).toBe(400);
    expect(replay.headers.get('cache-control')).toBe('no-store');
    expect(await replay.json()).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  });

  it('a token without the scope the route needs answers 403, not 401', async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'confidential', { scopes: ['write'] });
    const email = 'seed-write-only@example.com';
    await seedUser(s, email, PASSWORD);
    const url = `${s.url}/oauth/authorize?client_id=${app.client.id}&redirect_uri=${REDIRECT_URI}&response_type=code&scope=write`;
    const code = (await authorize(new Browser(s.url), url, { email, password: PASSWORD })).searchParams.get('code')!;
    const res = await curlForm(`${s.url}/oauth/token`, ['grant_type=authorization_code', `code=${code}`, `client_id=${app.client.id}`, `client_secret=${app.secret}`, `redirect_uri=${REDIRECT_URI}`]);
    const { access_token } = await expectTokenResponse(res, 'write');
    const agents = await fetch(`${s.url}/v1/agents`, { headers: { Authorization: `Bearer ${access_token}` } });
    expect(agents.status).toBe(403);
    const body = (await agents.json()) as { status_code: number };
    expect(body.status_code).toBe(403);
  });
});
