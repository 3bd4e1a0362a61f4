/**
 * The security floor (DESIGN.md; RFC 6749 §4.1.3, §6, RFC 7636, RFC 9700 §2.1–2.2, §4.14,
 * OAuth 2.1) at the token endpoint, one test per item, over real HTTP on both backends. Codes
 * come from the real authorization endpoint (a signed-in user clicking Allow over HTTP); a
 * FakeClock moves time for expiry and throttling windows. Each test registers its own apps.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { createClient } from '../../src/core/oauth/clients.js';
import type { ClientRecord, ClientType } from '../../src/core/model/client.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { BACKENDS } from '../helpers/backends.js';
import { type CallResult, type ConsoleSession, call, consoleLogin } from '../helpers/http.js';
import { type TestServer, seedUser, startTestServer, systemActor } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const CB = 'https://app.example/cb';

interface App {
  client: ClientRecord;
  /** client_secret_post credentials for confidential apps; just client_id for public ones. */
  auth: Record<string, string>;
}

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

const pkcePair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** An RFC 6749 §5.2 error with `Cache-Control: no-store`. */
function expectOAuthError(r: CallResult, status: number, error: string): void {
  expect(r.res.status, r.text).toBe(status);
  expect((r.body as { error?: string } | undefined)?.error, r.text).toBe(error);
  expect(r.res.headers.get('cache-control')).toBe('no-store');
}

function expectTokens(r: CallResult): Tokens {
  expect(r.res.status, r.text).toBe(200);
  expect(r.res.headers.get('cache-control')).toBe('no-store');
  return r.body as Tokens;
}

describe.each(BACKENDS)('OAuth security floor at /oauth/token on $name', (backend) => {
  const clock = new FakeClock(Date.UTC(2026, 3, 1, 12, 0));
  let server: TestServer | undefined;
  let dev: UserRecord;
  let session: ConsoleSession;

  beforeAll(async () => {
    server = await startTestServer(backend, { clock });
    if (!server) return;
    dev = await seedUser(server, 'dev@example.com', PASSWORD);
    await seedUser(server, 'alice@example.com', PASSWORD);
    session = await consoleLogin(server.url, 'alice@example.com', PASSWORD);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const register = async (s: TestServer, o: { type?: ClientType; redirectUris?: string[]; scopes?: string[] } = {}): Promise<App> => {
    const { client, secret } = await createClient(s.runtime, { ...systemActor, user: dev }, dev.id, o.type ?? 'confidential', {
      name: 'Photo Printer',
      redirectUris: o.redirectUris ?? [CB],
      scopes: o.scopes ?? ['read', 'write'],
    });
    return { client, auth: secret ? { client_id: client.id, client_secret: secret } : { client_id: client.id } };
  };

  /** Alice authorizes `app` over HTTP (Allow on the consent page when it is shown); returns the code. */
  const codeFor = async (s: TestServer, app: App, o: { scope?: string; challenge?: string | null; redirectUri?: string } = {}) => {
    const q: Record<string, string> = { client_id: app.client.id, redirect_uri: o.redirectUri ?? CB, response_type: 'code', scope: o.scope ?? 'read', state: 's1' };
    if (o.challenge) Object.assign(q, { code_challenge: o.challenge, code_challenge_method: 'S256' });
    let r = await call(s.url, 'GET', `/oauth/authorize?${new URLSearchParams(q).toString()}`, { session });
    if (r.res.status === 200) r = await call(s.url, 'POST', '/oauth/authorize', { session, body: new URLSearchParams({ ...q, csrf: session.csrf, decision: 'allow' }) });
    expect(r.res.status, r.text).toBe(303);
    const code = new URL(r.res.headers.get('location') ?? '').searchParams.get('code');
    expect(code).toMatch(/^ac_/);
    return code!;
  };
  const token = (s: TestServer, form: Record<string, string> | string[][], path = '/oauth/token') => call(s.url, 'POST', path, { body: new URLSearchParams(form) });
  const redeem = (s: TestServer, app: App, code: string, extra: Record<string, string> = {}) =>
    token(s, { grant_type: 'authorization_code', code, redirect_uri: CB, ...app.auth, ...extra });
  const refresh = (s: TestServer, app: App, refreshToken: string, extra: Record<string, string> = {}) =>
    token(s, { grant_type: 'refresh_token', refresh_token: refreshToken, ...app.auth, ...extra });
  const agents = (s: TestServer, accessToken: string, method = 'GET') =>
    call(s.url, method, '/v1/agents', { token: accessToken, ...(method === 'POST' ? { json: { name: 'probe' } } : {}) });

  it('PKCE: missing code_verifier at the token endpoint → invalid_grant', async (ctx) => {
    if (!server) return ctx.skip();
    const pub = await register(server, { type: 'public', scopes: ['read'] });
    const { challenge } = pkcePair();
    expectOAuthError(await redeem(server, pub, await codeFor(server, pub, { challenge })), 400, 'invalid_grant');
  });

  it('PKCE: wrong code_verifier → invalid_grant', async (ctx) => {
    if (!server) return ctx.skip();
    const pub = await register(server, { type: 'public', scopes: ['read'] });
    const { verifier, challenge } = pkcePair();
    const other = pkcePair().verifier;
    expectOAuthError(await redeem(server, pub, await codeFor(server, pub, { challenge }), { code_verifier: other }), 400, 'invalid_grant');
    expectTokens(await redeem(server, pub, await codeFor(server, pub, { challenge }), { code_verifier: verifier })); // the right one works
  });

  it('PKCE downgrade: a code issued with a challenge, redeemed by a confidential client without code_verifier → invalid_grant', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    expectOAuthError(await redeem(server, app, await codeFor(server, app, { challenge: pkcePair().challenge })), 400, 'invalid_grant');
  });

  it('PKCE: code_verifier sent for a code issued without a challenge → invalid_grant', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    expectOAuthError(await redeem(server, app, await codeFor(server, app), { code_verifier: pkcePair().verifier }), 400, 'invalid_grant');
    expectTokens(await redeem(server, app, await codeFor(server, app))); // without it the same kind of code works
  });

  it('codes are single use: a second redemption → invalid_grant', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    const code = await codeFor(server, app);
    expect(expectTokens(await redeem(server, app, code)).access_token).toMatch(/^at_/);
    expectOAuthError(await redeem(server, app, code), 400, 'invalid_grant');
  });

  it('code reuse revokes what the code issued (access token 401 at /v1/agents, refresh token invalid_grant)', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    const code = await codeFor(server, app);
    const first = expectTokens(await redeem(server, app, code));
    expect((await agents(server, first.access_token)).res.status).toBe(200); // now cached by the verifier
    expectOAuthError(await redeem(server, app, code), 400, 'invalid_grant');
    const after = await agents(server, first.access_token);
    expect(after.res.status, after.text).toBe(401);
    expectOAuthError(await refresh(server, app, first.refresh_token), 400, 'invalid_grant');
  });

  it('codes expire after 60 s (fake clock)', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    const fresh = await codeFor(server, app);
    clock.advance(59_000);
    expectTokens(await redeem(server, app, fresh));
    const stale = await codeFor(server, app);
    clock.advance(61_000);
    expectOAuthError(await redeem(server, app, stale), 400, 'invalid_grant');
  });

  it("codes are bound to the client: another app's credentials → invalid_grant", async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    const thief = await register(server);
    expectOAuthError(await redeem(server, thief, await codeFor(server, app)), 400, 'invalid_grant');
    const pub = await register(server, { type: 'public' });
    const { verifier, challenge } = pkcePair();
    expectOAuthError(await redeem(server, pub, await codeFor(server, app, { challenge }), { code_verifier: verifier }), 400, 'invalid_grant');
    // The app's own client_id without its secret is no client authentication, verifier or not.
    const pair = pkcePair();
    const code = await codeFor(server, app, { challenge: pair.challenge });
    expectOAuthError(await token(server, { grant_type: 'authorization_code', code, redirect_uri: CB, client_id: app.client.id, code_verifier: pair.verifier }), 401, 'invalid_client');
  });

  it('codes are bound to the redirect URI: a different or missing redirect_uri → invalid_grant', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server, { redirectUris: [CB, 'https://app.example/cb2'] });
    expectOAuthError(await redeem(server, app, await codeFor(server, app), { redirect_uri: 'https://app.example/cb2' }), 400, 'invalid_grant');
    const code = await codeFor(server, app);
    const { redirect_uri: _, ...noRedirect } = { grant_type: 'authorization_code', code, redirect_uri: CB, ...app.auth };
    expectOAuthError(await token(server, noRedirect), 400, 'invalid_grant');
    expectTokens(await redeem(server, app, await codeFor(server, app))); // the same URI works
  });

  it('refresh tokens are bound to the client', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    const thief = await register(server);
    const issued = expectTokens(await redeem(server, app, await codeFor(server, app)));
    expectOAuthError(await refresh(server, thief, issued.refresh_token), 400, 'invalid_grant');
    expect(expectTokens(await refresh(server, app, issued.refresh_token)).refresh_token).toMatch(/^rt_/); // untouched for its owner
  });

  it('scope never widened on refresh → invalid_scope', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server, { scopes: ['read', 'write', 'delete'] });
    const issued = expectTokens(await redeem(server, app, await codeFor(server, app, { scope: 'read' })));
    expect(issued.scope).toBe('read');
    expectOAuthError(await refresh(server, app, issued.refresh_token, { scope: 'read write' }), 400, 'invalid_scope');
    expectOAuthError(await refresh(server, app, issued.refresh_token, { scope: 'admin' }), 400, 'invalid_scope');
    const same = expectTokens(await refresh(server, app, issued.refresh_token));
    expect(same.scope).toBe('read');
    expect((await agents(server, same.access_token, 'POST')).res.status).toBe(403); // no write

    const wide = expectTokens(await redeem(server, app, await codeFor(server, app, { scope: 'read write' })));
    const narrowed = expectTokens(await refresh(server, app, wide.refresh_token, { scope: 'read' }));
    expect(narrowed.scope).toBe('read');
    expect((await agents(server, narrowed.access_token, 'POST')).res.status).toBe(403);
    expectOAuthError(await refresh(server, app, narrowed.refresh_token, { scope: 'read write delete' }), 400, 'invalid_scope');
  });

  it.for(['password', 'implicit'])('no %s grant: unsupported_grant_type', async (grantType, ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    const r = await token(server, { grant_type: grantType, username: 'alice@example.com', password: PASSWORD, scope: 'read', ...app.auth });
    expectOAuthError(r, 400, 'unsupported_grant_type');
    expect(r.text).not.toContain('at_');
  });

  it('Cache-Control: no-store on every token endpoint response, success and error', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    const issued = expectTokens(await redeem(server, app, await codeFor(server, app)));
    expectTokens(await refresh(server, app, issued.refresh_token));
    expect(expectTokens(await token(server, { grant_type: 'client_credentials', ...app.auth })).access_token).toMatch(/^at_/);
    expectOAuthError(await redeem(server, app, 'ac_not-a-real-code'), 400, 'invalid_grant');
    expectOAuthError(await token(server, { grant_type: 'client_credentials', client_id: app.client.id, client_secret: 'cs_wrong' }), 401, 'invalid_client');
    expectOAuthError(await token(server, { grant_type: 'password', ...app.auth }), 400, 'unsupported_grant_type');
    expectOAuthError(await token(server, { ...app.auth }), 400, 'invalid_request');
    const json = await call(server.url, 'POST', '/oauth/token', { json: { grant_type: 'client_credentials', ...app.auth } });
    expectOAuthError(json, 400, 'invalid_request');
    expectOAuthError(await token(server, [['grant_type', 'client_credentials'], ['grant_type', 'client_credentials'], ...Object.entries(app.auth)]), 400, 'invalid_request');
    expect((await call(server.url, 'GET', '/oauth/token')).res.headers.get('cache-control')).toBe('no-store');
  });

  it('brute-force throttling of client authentication: 429 + Retry-After at /oauth/token (failures at revoke and introspect count too)', async (ctx) => {
    if (!server) return ctx.skip();
    const app = await register(server);
    const wrong = { client_id: app.client.id, client_secret: `cs_${'x'.repeat(40)}` };
    const attempts = [
      ...Array.from({ length: 8 }, () => token(server!, { grant_type: 'client_credentials', ...wrong })),
      ...Array.from({ length: 6 }, () => token(server!, { token: 'at_whatever', ...wrong }, '/oauth/revoke')),
      ...Array.from({ length: 6 }, () => token(server!, { token: 'at_whatever', ...wrong }, '/oauth/introspect')),
    ];
    for (const r of await Promise.all(attempts)) expectOAuthError(r, 401, 'invalid_client');

    const throttled = await token(server, { grant_type: 'client_credentials', ...app.auth }); // even the right secret now
    expectOAuthError(throttled, 429, 'slow_down');
    const retryAfter = throttled.res.headers.get('retry-after') ?? '';
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
    expect(Number(retryAfter)).toBeLessThanOrEqual(300);
    expect(throttled.text).not.toContain('at_');
    // Another app from the same address is not locked out by this one.
    const other = await register(server);
    expectTokens(await token(server, { grant_type: 'client_credentials', ...other.auth }));

    clock.advance(Number(retryAfter) * 1000);
    expectTokens(await token(server, { grant_type: 'client_credentials', ...app.auth }));
  });
});
