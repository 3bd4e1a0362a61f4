/**
 * Drives the oidc-provider peer over HTTP to get what the load runs need: a logged-in session
 * with consent remembered (for code flows), refresh tokens (one chain per connection), and
 * an opaque access token to introspect, with the tests' cookie-keeping client (redirects
 * followed here, one hop at a time).
 */
import { Browser } from '../../packages/server/test/helpers/user-agent.js';
import {
  JWT_RESOURCE,
  OPAQUE_RESOURCE,
  PEER_CLIENT_ID,
  PEER_CLIENT_SECRET,
  PEER_REDIRECT_URI,
  PKCE_CHALLENGE,
  PKCE_VERIFIER,
} from './peer-constants.js';

export const PEER_BASIC = `Basic ${Buffer.from(`${encodeURIComponent(PEER_CLIENT_ID)}:${encodeURIComponent(PEER_CLIENT_SECRET)}`).toString('base64')}`;
export const FORM = 'application/x-www-form-urlencoded';

export const AUTHORIZE_PATH = `/auth?${new URLSearchParams({
  client_id: PEER_CLIENT_ID,
  response_type: 'code',
  redirect_uri: PEER_REDIRECT_URI,
  scope: 'read',
  resource: JWT_RESOURCE,
  code_challenge: PKCE_CHALLENGE,
  code_challenge_method: 'S256',
})}`;

export const codeExchangeBody = (code: string) =>
  new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: PEER_REDIRECT_URI, code_verifier: PKCE_VERIFIER }).toString();

/** The `code` query parameter of a redirect to the client, or undefined. */
export function codeFrom(location: string | undefined): string | undefined {
  if (!location?.startsWith(PEER_REDIRECT_URI)) return undefined;
  return new URL(location).searchParams.get('code') ?? undefined;
}

async function post(base: string, path: string, body: string): Promise<Record<string, unknown>> {
  const res = await fetch(base + path, { method: 'POST', headers: { authorization: PEER_BASIC, 'content-type': FORM }, body });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`peer ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

export interface PeerSession {
  /** Cookie header of a logged-in session whose consent covers AUTHORIZE_PATH. */
  cookie: string;
}

/** Follows one authorization request through the auto-approving interactions to a code. */
async function authorize(base: string, browser: Browser): Promise<string> {
  let path = AUTHORIZE_PATH;
  for (let hop = 0; hop < 10; hop++) {
    const res = await browser.request(path);
    await res.arrayBuffer();
    const next = res.headers.get('location');
    if (!next) throw new Error(`peer authorization stopped at ${res.status} ${path.split('?')[0]}`);
    const code = codeFrom(next);
    if (code) return code;
    // The interactions redirect within the peer, by absolute or relative URL.
    const to = new URL(next, base + path);
    if (to.origin !== new URL(base).origin) throw new Error(`peer authorization redirected away to ${to.origin}`);
    path = to.pathname + to.search;
  }
  throw new Error('peer authorization did not finish in 10 redirects');
}

export async function peerSession(base: string): Promise<PeerSession & { code: string }> {
  const browser = new Browser(base);
  const code = await authorize(base, browser);
  return { cookie: browser.cookies.header(), code };
}

/** `n` fresh refresh tokens, each from its own code exchange within one session. */
export async function peerRefreshTokens(base: string, n: number): Promise<string[]> {
  const browser = new Browser(base);
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const code = await authorize(base, browser);
    const json = await post(base, '/token', codeExchangeBody(code));
    if (typeof json.refresh_token !== 'string') throw new Error('peer issued no refresh token');
    tokens.push(json.refresh_token);
  }
  return tokens;
}

export const clientCredentialsBody = (resource: string) => new URLSearchParams({ grant_type: 'client_credentials', scope: 'read', resource }).toString();

/** An opaque (stored) access token, the kind introspection looks up. */
export async function peerOpaqueToken(base: string): Promise<string> {
  const json = await post(base, '/token', clientCredentialsBody(OPAQUE_RESOURCE));
  if (typeof json.access_token !== 'string') throw new Error('peer issued no access token');
  const check = await post(base, '/token/introspection', new URLSearchParams({ token: json.access_token }).toString());
  if (check.active !== true) throw new Error('peer does not introspect its own opaque token as active');
  return json.access_token;
}

/** Checks the client_credentials grant answers with a JWT, as the v0-auth comparison assumes. */
export async function peerCheckJwtGrant(base: string): Promise<void> {
  const json = await post(base, '/token', clientCredentialsBody(JWT_RESOURCE));
  if (typeof json.access_token !== 'string' || json.access_token.split('.').length !== 3) throw new Error('peer client_credentials did not issue a JWT');
}
