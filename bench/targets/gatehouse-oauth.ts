/**
 * Gatehouse's OAuth server as a benchmark target: detects at run time whether the routes
 * exist (a checkout without them reports `pending`), then sets up what the load runs need
 * through public surfaces only — the CLI for the account and the application, the console
 * sign-in form, the consent screen once — and mints refresh tokens and an opaque access token.
 */
import type { CliIO } from '../../packages/server/src/cli/io.js';
import { runCli } from '../../packages/server/src/cli/main.js';
import { Browser } from '../../packages/server/test/helpers/user-agent.js';
import type { Database } from './gatehouse.js';
import { PEER_REDIRECT_URI as REDIRECT_URI, PKCE_CHALLENGE, PKCE_VERIFIER } from './peer-constants.js';

export const FORM = 'application/x-www-form-urlencoded';
export const TOKEN_PATH = '/oauth/token';
export const INTROSPECT_PATH = '/oauth/introspect';
const EMAIL = 'oauth-bench@example.com';
const PASSWORD = 'bench password, loopback only';

export interface OAuthProbe {
  available: boolean;
  reason: string;
}

/** The OAuth scenarios run only when the server answers its metadata and token endpoint. */
export async function probeOAuth(url: string): Promise<OAuthProbe> {
  const meta = await fetch(`${url}/.well-known/oauth-authorization-server`);
  await meta.arrayBuffer();
  const token = await fetch(url + TOKEN_PATH, { method: 'POST', headers: { 'content-type': FORM }, body: 'grant_type=client_credentials' });
  await token.arrayBuffer();
  if (meta.status === 404 || token.status === 404) {
    return { available: false, reason: `OAuth routes not served yet (GET /.well-known/oauth-authorization-server → ${meta.status}, POST ${TOKEN_PATH} → ${token.status})` };
  }
  return { available: true, reason: '' };
}

export interface GatehouseOAuth {
  /** `Authorization: Basic` of a confidential application allowed `read`. */
  basic: string;
  /** Cookie header of a signed-in console session that already consented. */
  sessionCookie: string;
  authorizePath: string;
}

async function cli(db: Database, argv: string[], stdin = ''): Promise<string> {
  const out: string[] = [];
  const io: CliIO = { env: db.env, out: (t) => out.push(t), err: (t) => out.push(t), readStdin: async () => stdin };
  const code = await runCli(argv, io);
  if (code !== 0) throw new Error(`gatehouse ${argv.slice(0, 2).join(' ')} failed: ${out.join('\n')}`);
  return out.join('\n');
}

const csrfField = (html: string) => {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no csrf field on the page');
  return m[1];
};

/** The `code` of a redirect back to the application, or undefined. */
export function codeFrom(location: string | undefined): string | undefined {
  if (!location?.startsWith(REDIRECT_URI)) return undefined;
  return new URL(location).searchParams.get('code') ?? undefined;
}

export const codeExchangeBody = (code: string) =>
  new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: PKCE_VERIFIER }).toString();

export const refreshBody = (token: string) => `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`;

export async function setupOAuth(db: Database, url: string): Promise<GatehouseOAuth> {
  await cli(db, ['users', 'create', '--email', EMAIL, '--password-stdin'], PASSWORD);
  const created = JSON.parse(await cli(db, ['clients', 'create', '--owner', EMAIL, '--name', 'Benchmark', '--redirect-uri', REDIRECT_URI, '--scopes', 'read', '--json'])) as {
    client_id: string;
    client_secret: string;
  };
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(created.client_id)}:${encodeURIComponent(created.client_secret)}`).toString('base64')}`;
  const authorizePath = `/oauth/authorize?${new URLSearchParams({
    client_id: created.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'read',
    code_challenge: PKCE_CHALLENGE,
    code_challenge_method: 'S256',
  })}`;

  const browser = new Browser(url);
  const loginPage = await browser.request('/console/login');
  const login = await browser.post('/console/login', { csrf: csrfField(await loginPage.text()), next: '/console', email: EMAIL, password: PASSWORD });
  await login.arrayBuffer();
  if (login.status !== 303) throw new Error(`console sign-in answered ${login.status}`);

  // The consent screen once; afterwards consent is remembered and authorize redirects at once.
  const consent = await browser.request(authorizePath);
  if (consent.status !== 200) throw new Error(`GET /oauth/authorize answered ${consent.status}, expected the consent screen`);
  const form = Object.fromEntries(new URL(url + authorizePath).searchParams);
  const approved = await browser.post('/oauth/authorize', { ...form, csrf: csrfField(await consent.text()), decision: 'allow' });
  await approved.arrayBuffer();
  if (!codeFrom(approved.headers.get('location') ?? undefined)) throw new Error(`consent did not redirect with a code (${approved.status})`);
  return { basic, sessionCookie: browser.cookies.header(), authorizePath };
}

async function token(url: string, o: GatehouseOAuth, body: string): Promise<Record<string, unknown>> {
  const res = await fetch(url + TOKEN_PATH, { method: 'POST', headers: { authorization: o.basic, 'content-type': FORM }, body });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`POST ${TOKEN_PATH} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** `n` refresh tokens, each from its own code flow (so each is its own grant). */
export async function refreshTokens(url: string, o: GatehouseOAuth, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(url + o.authorizePath, { redirect: 'manual', headers: { cookie: o.sessionCookie } });
    await res.arrayBuffer();
    const code = codeFrom(res.headers.get('location') ?? undefined);
    if (!code) throw new Error(`GET /oauth/authorize answered ${res.status} without a code (is consent remembered?)`);
    const json = await token(url, o, codeExchangeBody(code));
    if (typeof json.refresh_token !== 'string') throw new Error('the code exchange issued no refresh token');
    out.push(json.refresh_token);
  }
  return out;
}

/** An opaque `at_…` access token from client_credentials, checked active by introspection. */
export async function opaqueAccessToken(url: string, o: GatehouseOAuth): Promise<string> {
  const json = await token(url, o, 'grant_type=client_credentials&scope=read');
  const at = json.access_token;
  if (typeof at !== 'string') throw new Error('client_credentials issued no access token');
  const res = await fetch(url + INTROSPECT_PATH, { method: 'POST', headers: { authorization: o.basic, 'content-type': FORM }, body: `token=${encodeURIComponent(at)}` });
  const check = (await res.json()) as { active?: unknown };
  if (check.active !== true) throw new Error(`introspection of a fresh access token answered ${res.status} ${JSON.stringify(check)}`);
  return at;
}
