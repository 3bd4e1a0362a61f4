/**
 * Shared steps for the OAuth suites: registering an app through core, and a tiny user agent
 * that walks the authorization endpoint over real HTTP as a browser would — the 303 to the
 * sign-in page, the login form (CSRF field + `next`), the consent form (Allow/Deny with its
 * hidden fields) — and hands back the 303 `Location` the app receives.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { type ClientSettings, type CreatedClient, createClient } from '../../src/core/oauth/clients.js';
import type { ClientType } from '../../src/core/model/client.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { Browser, csrfField } from '../helpers/http.js';
import { type TestServer, seedUser, systemActor } from '../helpers/server.js';

export const PASSWORD = 'correct horse battery staple';
export const REDIRECT_URI = 'https://app.example.com/callback';

/** A developer account and an app it owns (confidential apps come with their `cs_…` secret). */
export async function registerApp(
  server: TestServer,
  type: ClientType,
  settings: Partial<ClientSettings> = {},
  owner?: UserRecord,
): Promise<CreatedClient & { owner: UserRecord }> {
  const dev = owner ?? (await seedUser(server, `dev-${randomBytes(4).toString('hex')}@example.com`, PASSWORD));
  const created = await createClient(server.runtime, { ...systemActor, user: dev }, dev.id, type, {
    name: 'Photo Printer',
    redirectUris: [REDIRECT_URI],
    scopes: ['read', 'write'],
    ...settings,
  });
  return { ...created, owner: dev };
}

/** RFC 7636 S256 pair. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>' };
const unescapeHtml = (s: string) => s.replace(/&(amp|quot|#39|lt|gt);/g, (m) => ENTITIES[m] ?? m);

/** The hidden inputs of the `<form … action="/oauth/authorize">` on a consent page. */
export function consentFields(html: string): URLSearchParams {
  const form = /<form[^>]*action="\/oauth\/authorize"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form?.[1]) throw new Error('no consent form in the page');
  const fields = new URLSearchParams();
  for (const m of form[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)) fields.append(m[1]!, unescapeHtml(m[2]!));
  return fields;
}

export interface Credentials {
  email: string;
  password: string;
}

/**
 * Runs an authorization request to its end in `browser`: signs in when sent to the login page,
 * answers the consent screen when shown, and returns the app-bound 303 `Location`.
 */
export async function authorize(browser: Browser, url: string | URL, user: Credentials, decision: 'allow' | 'deny' = 'allow'): Promise<URL> {
  let res = await browser.request(url);
  const loginTarget = res.status === 303 ? (res.headers.get('location') ?? '') : '';
  if (loginTarget.startsWith('/console/login?')) {
    const next = new URL(loginTarget, url).searchParams.get('next') ?? '';
    expect(next.startsWith('/oauth/authorize?')).toBe(true);
    const html = await (await browser.request(loginTarget)).text();
    const hiddenNext = /name="next" value="([^"]*)"/.exec(html)?.[1];
    expect(hiddenNext && unescapeHtml(hiddenNext)).toBe(next);
    const login = await browser.post('/console/login', { csrf: csrfField(html), email: user.email, password: user.password, next });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(next);
    res = await browser.request(next);
  }
  if (res.status === 200) {
    const fields = consentFields(await res.text());
    fields.set('decision', decision);
    res = await browser.request('/oauth/authorize', { method: 'POST', body: fields });
  }
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location') ?? '');
}

export interface CodeRequest {
  scope?: string;
  state?: string;
  codeChallenge?: string;
  redirectUri?: string;
}

/** The authorize URL for `clientId` (S256 when a challenge is given). */
export function authorizeUrl(server: TestServer, clientId: string, req: CodeRequest = {}): URL {
  const url = new URL('/oauth/authorize', server.url);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', req.redirectUri ?? REDIRECT_URI);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', req.scope ?? 'read write');
  url.searchParams.set('state', req.state ?? randomBytes(8).toString('hex'));
  if (req.codeChallenge) {
    url.searchParams.set('code_challenge', req.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url;
}

/** A fresh user who signs in and allows; returns the code (and checks `state` and `iss`). */
export async function obtainCode(server: TestServer, clientId: string, req: CodeRequest = {}, agent?: { browser: Browser; user: Credentials }): Promise<string> {
  let a = agent;
  if (!a) {
    const email = `user-${randomBytes(4).toString('hex')}@example.com`;
    await seedUser(server, email, PASSWORD);
    a = { browser: new Browser(server.url), user: { email, password: PASSWORD } };
  }
  const url = authorizeUrl(server, clientId, req);
  const back = await authorize(a.browser, url, a.user);
  expect(`${back.origin}${back.pathname}`).toBe(req.redirectUri ?? REDIRECT_URI);
  expect(back.searchParams.get('state')).toBe(url.searchParams.get('state'));
  expect(back.searchParams.get('iss')).toBe(server.url);
  const code = back.searchParams.get('code');
  expect(code).toMatch(/^ac_[0-9A-Za-z]{36}$/);
  return code!;
}

export interface OAuthResult {
  res: Response;
  body: Record<string, unknown>;
}

/** POST a form to an /oauth endpoint (optionally with HTTP Basic client credentials). */
export async function oauthPost(server: TestServer, path: string, form: Record<string, string>, basic?: { id: string; secret: string }): Promise<OAuthResult> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (basic) headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`).toString('base64')}`;
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: new URLSearchParams(form) });
  const text = await res.text();
  return { res, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Asserts an RFC 6749 §5.2 error response. */
export function expectOAuthError(r: OAuthResult, status: number, error: string): void {
  expect(r.res.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error).toBe(error);
  expect(r.res.headers.get('cache-control')).toBe('no-store');
}

/** GET /v1/agents with a Bearer token; returns the status. */
export async function agentsStatus(server: TestServer, token: string): Promise<number> {
  const res = await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}
