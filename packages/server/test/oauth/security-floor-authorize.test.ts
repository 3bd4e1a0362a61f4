/**
 * The security floor (DESIGN.md; RFC 9700, OAuth 2.1, RFC 9207, RFC 8252) at the authorization
 * endpoint, one test per item, over real HTTP on both backends. A signed-in user (console
 * session cookie) drives GET/POST /oauth/authorize as a browser would. Each test registers its
 * own application so that remembered consent from one test never leaks into another.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/core/oauth/clients.js';
import type { ClientRecord, ClientType } from '../../src/core/model/client.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { BACKENDS } from '../helpers/backends.js';
import { type CallResult, type ConsoleSession, CookieJar, call, consoleLogin, csrfField } from '../helpers/http.js';
import { type TestServer, seedUser, startTestServer, systemActor } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const CB = 'https://app.example/cb';
const STATE = 'st-4f9a';
const VERIFIER = randomBytes(32).toString('base64url');
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

type Query = Record<string, string> | string[][];

const VARIANTS = [
  { variant: 'trailing slash', uri: 'https://app.example/cb/' },
  { variant: 'different case in host', uri: 'https://APP.example/cb' },
  { variant: 'different case in path', uri: 'https://app.example/CB' },
  { variant: 'extra query parameter', uri: 'https://app.example/cb?next=/admin' },
  { variant: 'different port', uri: 'https://app.example:8443/cb' },
  { variant: 'added fragment', uri: 'https://app.example/cb#frag' },
  { variant: 'different scheme', uri: 'http://app.example/cb' },
];

/** The user is shown an error page: HTML, 400, and no redirect anywhere. */
function expectErrorPage(r: CallResult): void {
  expect(r.res.status, r.text).toBe(400);
  expect(r.res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(r.res.headers.get('location')).toBeNull();
  expect(r.text).toContain('This authorization request is invalid');
}

function expectConsentPage(r: CallResult, client: ClientRecord): void {
  expect(r.res.status, r.text).toBe(200);
  expect(r.text).toContain(`<span data-testid="client-name">${client.name}</span>`);
  expect(r.text).toContain('name="decision" value="allow"');
}

/** A 303 to `base`; returns the parameters it carries. */
function redirectedTo(r: CallResult, base: string): URLSearchParams {
  expect(r.res.status, r.text).toBe(303);
  const location = r.res.headers.get('location') ?? '';
  expect(location.startsWith(`${base}?`), location).toBe(true);
  return new URL(location).searchParams;
}

const without = (q: Record<string, string>, ...names: string[]) => Object.fromEntries(Object.entries(q).filter(([k]) => !names.includes(k)));

describe.each(BACKENDS)('OAuth security floor at /oauth/authorize on $name', (backend) => {
  let server: TestServer | undefined;
  let dev: UserRecord;
  let alice: UserRecord;
  let session: ConsoleSession;
  let bobSession: ConsoleSession;

  beforeAll(async () => {
    server = await startTestServer(backend);
    if (!server) return;
    dev = await seedUser(server, 'dev@example.com', PASSWORD);
    alice = await seedUser(server, 'alice@example.com', PASSWORD);
    await seedUser(server, 'bob@example.com', PASSWORD);
    session = await consoleLogin(server.url, 'alice@example.com', PASSWORD);
    bobSession = await consoleLogin(server.url, 'bob@example.com', PASSWORD);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const register = async (s: TestServer, o: { type?: ClientType; redirectUris?: string[]; scopes?: string[] } = {}) =>
    (
      await createClient(s.runtime, { ...systemActor, user: dev }, dev.id, o.type ?? 'confidential', {
        name: 'Photo Printer',
        redirectUris: o.redirectUris ?? [CB],
        scopes: o.scopes ?? ['read', 'write'],
      })
    ).client;
  const query = (client: ClientRecord, extra: Record<string, string> = {}): Record<string, string> => ({
    client_id: client.id,
    redirect_uri: CB,
    response_type: 'code',
    scope: 'read',
    state: STATE,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...extra,
  });
  const authorize = (s: TestServer, q: Query, who: ConsoleSession | null = session, headers: Record<string, string> = {}) =>
    call(s.url, 'GET', `/oauth/authorize?${new URLSearchParams(q).toString()}`, { ...(who !== null ? { session: who } : {}), headers });
  const decide = (s: TestServer, q: Query, decision: string, who: ConsoleSession = session, csrf: string | null = who.csrf) => {
    const body = new URLSearchParams(q);
    if (csrf !== null) body.set('csrf', csrf);
    body.set('decision', decision);
    return call(s.url, 'POST', '/oauth/authorize', { session: who, body });
  };
  /** An authorization error sent back to the app: error, state and iss on the redirect URI. */
  const expectAppError = (s: TestServer, r: CallResult, error: string, base = CB) => {
    const p = redirectedTo(r, base);
    expect(p.get('error')).toBe(error);
    expect(p.get('state')).toBe(STATE);
    expect(p.get('iss')).toBe(s.url);
    expect(p.get('code')).toBeNull();
  };

  it('exact redirect-URI matching: the registered URI itself is accepted', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    expectConsentPage(await authorize(server, query(client)), client);
  });

  it.for(VARIANTS)('exact redirect-URI matching: $variant refused, never redirected', async ({ uri }, ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    expectErrorPage(await authorize(server, query(client, { redirect_uri: uri })));
    expectErrorPage(await authorize(server, query(client, { redirect_uri: uri }), null)); // signed out too
  });

  it('exact redirect-URI matching: a registered loopback URI accepts any port (RFC 8252) but not another path', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server, { redirectUris: ['http://127.0.0.1/cb'] });
    const portless = 'http://127.0.0.1/cb';
    expectConsentPage(await authorize(server, query(client, { redirect_uri: portless })), client);
    const ephemeral = 'http://127.0.0.1:51234/cb';
    const p = redirectedTo(await decide(server, query(client, { redirect_uri: ephemeral }), 'allow'), ephemeral);
    expect(p.get('code')).toMatch(/^ac_/);
    for (const uri of ['http://127.0.0.1:51234/other', 'http://127.0.0.1/cb/', 'http://localhost:51234/cb', 'https://127.0.0.1:51234/cb', 'http://127.0.0.1:51234@evil.example/cb']) {
      expectErrorPage(await authorize(server, query(client, { redirect_uri: uri })));
    }
  });

  it('exact redirect-URI matching: a loopback port no URL can carry is refused with the error page, not a 500', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server, { redirectUris: ['http://127.0.0.1/cb'] });
    const bad = query(client, { redirect_uri: 'http://127.0.0.1:99999/cb' });
    expectErrorPage(await authorize(server, bad)); // would be the consent page
    expect(redirectedTo(await decide(server, query(client, { redirect_uri: 'http://127.0.0.1:4000/cb' }), 'allow'), 'http://127.0.0.1:4000/cb').get('code')).toMatch(/^ac_/);
    expectErrorPage(await authorize(server, bad)); // would be a remembered-consent redirect
    expectErrorPage(await authorize(server, { ...bad, scope: 'nonsense' })); // would be an error redirect
  });

  it('never redirect when client_id is unknown or missing', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    expectErrorPage(await authorize(server, query(client, { client_id: 'app_doesnotexist' })));
    expectErrorPage(await authorize(server, without(query(client), 'client_id')));
    expectErrorPage(await authorize(server, query(client, { client_id: '' })));
    // An unknown client with an otherwise fatal parameter is still an error page, not a redirect.
    expectErrorPage(await authorize(server, query(client, { client_id: 'app_doesnotexist', response_type: 'token' })));
  });

  it('PKCE S256 required for public clients: no code_challenge → invalid_request', async (ctx) => {
    if (!server) return ctx.skip();
    const pub = await register(server, { type: 'public', scopes: ['read'] });
    expectAppError(server, await authorize(server, without(query(pub), 'code_challenge', 'code_challenge_method')), 'invalid_request');
    expectAppError(server, await authorize(server, without(query(pub), 'code_challenge')), 'invalid_request');
    expectConsentPage(await authorize(server, query(pub)), pub);
  });

  it('PKCE plain refused: code_challenge_method=plain (or absent, which means plain) → invalid_request', async (ctx) => {
    if (!server) return ctx.skip();
    for (const type of ['public', 'confidential'] as const) {
      const client = await register(server, { type });
      expectAppError(server, await authorize(server, query(client, { code_challenge: VERIFIER, code_challenge_method: 'plain' })), 'invalid_request');
      expectAppError(server, await authorize(server, without(query(client, { code_challenge: VERIFIER }), 'code_challenge_method')), 'invalid_request');
    }
  });

  it('no implicit flow: response_type=token and id_token refused with unsupported_response_type', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    for (const responseType of ['token', 'id_token', 'code token', 'code id_token']) {
      expectAppError(server, await authorize(server, query(client, { response_type: responseType })), 'unsupported_response_type');
    }
  });

  it('iss on every authorization response (RFC 9207), success and error, equal to the issuer', async (ctx) => {
    if (!server) return ctx.skip();
    const meta = (await call(server.url, 'GET', '/.well-known/oauth-authorization-server')).body as { issuer: string };
    expect(meta.issuer).toBe(server.url);
    const client = await register(server);
    const allowed = redirectedTo(await decide(server, query(client), 'allow'), CB);
    expect(allowed.get('code')).toMatch(/^ac_/);
    expect(allowed.get('state')).toBe(STATE);
    expect(allowed.get('iss')).toBe(meta.issuer);
    const remembered = redirectedTo(await authorize(server, query(client)), CB);
    expect(remembered.get('code')).toMatch(/^ac_/);
    expect(remembered.get('iss')).toBe(meta.issuer);
    expectAppError(server, await decide(server, query(client), 'deny', bobSession), 'access_denied');
    expectAppError(server, await authorize(server, query(client, { scope: 'read nonsense' })), 'invalid_scope');
    expectAppError(server, await authorize(server, query(client, { response_type: 'token' })), 'unsupported_response_type');
    expectAppError(server, await authorize(server, query(client, { code_challenge_method: 'plain' })), 'invalid_request');
  });

  it('303 for every redirect after POST (sign-in, Allow, Deny, errors, signed out)', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    // Sign-in with a `next` pointing back at the authorization request.
    const signedOut = await authorize(server, query(client), null);
    expect(signedOut.res.status).toBe(303);
    const login = new URL(signedOut.res.headers.get('location') ?? '', server.url);
    expect(login.pathname).toBe('/console/login');
    const jar = new CookieJar();
    const page = await call(server.url, 'GET', `${login.pathname}${login.search}`);
    jar.store(page.res);
    const csrf = csrfField(page.text);
    const fresh: ConsoleSession = { jar, csrf };
    const next = login.searchParams.get('next') ?? '';
    expect(next.startsWith('/oauth/authorize?')).toBe(true);
    // POST without a session (the csrf cookie only) goes to sign-in with a 303.
    const noSession = await decide(server, query(client), 'allow', fresh);
    expect(noSession.res.status).toBe(303);
    expect(noSession.res.headers.get('location')).toMatch(/^\/console\/login\?next=/);
    const signIn = await call(server.url, 'POST', '/console/login', { session: fresh, body: new URLSearchParams({ csrf, next, email: 'bob@example.com', password: PASSWORD }) });
    expect(signIn.res.status).toBe(303);
    expect(signIn.res.headers.get('location')).toBe(next);
    jar.store(signIn.res);
    // Sign-in rotated the CSRF value: the consent forms carry the new one.
    const signedIn: ConsoleSession = { jar, csrf: jar.get('gh_csrf')! };
    expect(signedIn.csrf).not.toBe(csrf);

    expectAppError(server, await decide(server, query(client), 'deny', signedIn), 'access_denied');
    expectAppError(server, await decide(server, query(client, { scope: 'admin' }), 'allow', signedIn), 'invalid_scope');
    expect(redirectedTo(await decide(server, query(client), 'allow', signedIn), CB).get('code')).toMatch(/^ac_/);
  });

  it('no open redirector in the sign-in round trip: next always stays on this site (RFC 9700 §4.11)', async (ctx) => {
    if (!server) return ctx.skip();
    for (const next of ['https://evil.example/x', '//evil.example/x', '/\\evil.example/x', '/\t/evil.example/x', '/\r\n/evil.example/x']) {
      const jar = new CookieJar();
      const page = await call(server.url, 'GET', `/console/login?next=${encodeURIComponent(next)}`);
      jar.store(page.res);
      const csrf = csrfField(page.text);
      const body = new URLSearchParams({ csrf, next, email: 'bob@example.com', password: PASSWORD });
      const r = await call(server.url, 'POST', '/console/login', { session: { jar, csrf }, body });
      expect(r.res.status, JSON.stringify(next)).toBe(303);
      // Resolved as a browser does (it drops tabs and newlines from URLs first).
      const target = new URL(r.res.headers.get('location') ?? '', server.url);
      expect(target.origin, `${JSON.stringify(next)} → ${target.href}`).toBe(server.url);
    }
  });

  it("CSP frame-ancestors 'none', X-Frame-Options: DENY and Referrer-Policy: no-referrer on the consent, error and sign-in pages", async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    const consent = await authorize(server, query(client));
    expectConsentPage(consent, client);
    const error = await authorize(server, query(client, { redirect_uri: 'https://evil.example/cb' }));
    expectErrorPage(error);
    const toLogin = await authorize(server, query(client), null);
    const signIn = await call(server.url, 'GET', toLogin.res.headers.get('location') ?? '');
    expect(signIn.res.status).toBe(200);
    expect(signIn.text).toContain('name="next"');
    for (const r of [consent, error, signIn]) {
      const csp = (r.res.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim());
      expect(csp).toContain("frame-ancestors 'none'");
      expect(r.res.headers.get('x-frame-options')).toBe('DENY');
      expect(r.res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('no CORS on /oauth/authorize (simple requests and preflights)', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    const origin = { Origin: 'https://evil.example' };
    const consent = await authorize(server, query(client), session, origin);
    expectConsentPage(consent, client);
    const error = await authorize(server, query(client, { client_id: 'app_nope' }), session, origin);
    const preflight = await call(server.url, 'OPTIONS', `/oauth/authorize?${new URLSearchParams(query(client)).toString()}`, {
      headers: { ...origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    const post = await call(server.url, 'POST', '/oauth/authorize', { headers: origin, body: new URLSearchParams(query(client)) });
    for (const r of [consent, error, preflight, post]) {
      const cors = [...r.res.headers.keys()].filter((h) => h.startsWith('access-control-'));
      expect(cors, `${r.res.status} ${r.res.url}`).toEqual([]);
    }
  });

  it('CSRF protection on the consent form: no csrf or a wrong one → 403, no code issued', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    expectConsentPage(await authorize(server, query(client)), client);
    for (const csrf of [null, '', 'A'.repeat(32), bobSession.csrf]) {
      const r = await decide(server, query(client), 'allow', session, csrf);
      expect(r.res.status, `csrf=${csrf}`).toBe(403);
      expect(r.res.headers.get('location')).toBeNull();
      expect(r.text).not.toContain('ac_');
    }
    expect(await server.runtime.store.oauth.consents.get(alice.id, client.id)).toBeUndefined();
    expectConsentPage(await authorize(server, query(client)), client); // still asks: nothing was approved
  });

  it('consent is remembered per user, app and scope set', async (ctx) => {
    if (!server) return ctx.skip();
    const app1 = await register(server);
    const app2 = await register(server);
    expect(redirectedTo(await decide(server, query(app1), 'allow'), CB).get('code')).toMatch(/^ac_/);
    // Same user, app and scopes: no consent page, a code at once.
    expect(redirectedTo(await authorize(server, query(app1)), CB).get('code')).toMatch(/^ac_/);
    // A new scope, another app, another user: consent again.
    expectConsentPage(await authorize(server, query(app1, { scope: 'read write' })), app1);
    expectConsentPage(await authorize(server, query(app2)), app2);
    expectConsentPage(await authorize(server, query(app1), bobSession), app1);
  });

  it('scopes: an unknown scope → invalid_scope', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    expectAppError(server, await authorize(server, query(client, { scope: 'read launch_missiles' })), 'invalid_scope');
    expectAppError(server, await authorize(server, query(client, { scope: '' })), 'invalid_scope');
  });

  it('scopes: a scope not allowed for the app → invalid_scope, never silently cut', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server, { scopes: ['read'] });
    expectAppError(server, await authorize(server, query(client, { scope: 'read admin' })), 'invalid_scope');
    expectAppError(server, await decide(server, query(client, { scope: 'read write' }), 'allow'), 'invalid_scope');
  });

  it('duplicate parameters: client_id or redirect_uri twice → error page; scope or state twice → invalid_request', async (ctx) => {
    if (!server) return ctx.skip();
    const client = await register(server);
    const pairs = Object.entries(query(client));
    expectErrorPage(await authorize(server, [...pairs, ['client_id', client.id]]));
    expectErrorPage(await authorize(server, [...pairs, ['redirect_uri', CB]]));
    expectAppError(server, await authorize(server, [...pairs, ['scope', 'write']]), 'invalid_request');
    const twoStates = redirectedTo(await authorize(server, [...pairs, ['state', 'other']]), CB);
    expect(twoStates.get('error')).toBe('invalid_request');
    expectErrorPage(await decide(server, [...pairs, ['client_id', client.id]], 'allow'));
  });
});
