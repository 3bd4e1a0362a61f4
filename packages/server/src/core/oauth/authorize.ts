/**
 * The authorization endpoint's rules (RFC 6749 §4.1, OAuth 2.1, RFC 9700), free of HTTP:
 *  1. client_id and redirect_uri are checked first; when either is wrong the user sees an error
 *     page and is never redirected (RFC 6749 §4.1.2.1);
 *  2. every other problem goes back to the app as `error=…` on its redirect URI;
 *  3. only `response_type=code`; PKCE S256 required for public apps, honoured for all, `plain`
 *     refused; scopes must exist and be allowed for the app (omitted: the app's scopes).
 * Codes are single-use, live 60 s, and are bound to client, redirect URI, user and challenge.
 */
import { issueSecret } from '../credentials.js';
import type { Runtime } from '../runtime.js';
import { type GatehouseError, invalidRequest, oauthError } from '../errors.js';
import { missing, parseScopeString } from '../scopes.js';
import type { ClientRecord } from '../model/client.js';
import type { UserRecord } from '../model/user.js';
import { PKCE_VALUE } from './pkce.js';
import { cspSourceFor, matchRedirectUri } from './redirect-uri.js';

export const CODE_PREFIX = 'ac_';
export const CODE_TTL_MS = 60_000;
const PARAMS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'] as const;

export interface AuthorizeRequest {
  client: ClientRecord;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
}

export type AuthorizeCheck =
  | { kind: 'ok'; request: AuthorizeRequest }
  /** Client or redirect URI invalid: show the error to the user, never redirect. */
  | { kind: 'show'; error: GatehouseError }
  /** Anything else: send the error to the app's (validated) redirect URI. */
  | { kind: 'redirect'; redirectUri: string; state: string | null; error: GatehouseError };

/** Validates an authorization request given as query (GET) or form (POST) parameters. */
export async function checkAuthorizeRequest(rt: Runtime, params: URLSearchParams): Promise<AuthorizeCheck> {
  const one = (name: string) => params.get(name) ?? undefined;
  if (params.getAll('client_id').length > 1 || params.getAll('redirect_uri').length > 1) {
    return { kind: 'show', error: invalidRequest('client_id and redirect_uri must appear only once') };
  }
  const clientId = one('client_id');
  const client = clientId ? await rt.store.oauth.clients.get(clientId) : undefined;
  if (!client) return { kind: 'show', error: invalidRequest(clientId ? 'Unknown client_id' : 'Missing client_id') };

  const given = one('redirect_uri');
  let redirectUri: string;
  if (given === undefined) {
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one redirect URI is registered.
    if (client.redirectUris.length !== 1) return { kind: 'show', error: invalidRequest('Missing redirect_uri') };
    redirectUri = client.redirectUris[0]!;
  } else if (matchRedirectUri(client.redirectUris, given)) {
    redirectUri = given;
  } else {
    return { kind: 'show', error: invalidRequest('redirect_uri is not registered for this application') };
  }

  const state = one('state') ?? null;
  const fail = (error: GatehouseError): AuthorizeCheck => ({ kind: 'redirect', redirectUri, state, error });

  for (const name of PARAMS) {
    if (params.getAll(name).length > 1) return fail(invalidRequest(`Parameter ${name} must appear only once`));
  }
  const responseType = one('response_type');
  if (responseType !== 'code') {
    return fail(oauthError('unsupported_response_type', responseType ? `response_type=${responseType} is not supported; use code` : 'Missing response_type'));
  }

  // RFC 6749 §3.3: without a scope parameter, the app's registered scopes are the default.
  const asked = one('scope');
  const scopes = asked === undefined ? client.scopes : parseScopeString(asked);
  if (scopes.length === 0) return fail(oauthError('invalid_scope', 'scope must not be empty'));
  const unknown = scopes.filter((s) => !rt.scopes.has(s));
  if (unknown.length > 0) return fail(oauthError('invalid_scope', `Unknown scope: ${unknown.join(' ')}`));
  const notAllowed = missing(client.scopes, scopes);
  if (notAllowed.length > 0) return fail(oauthError('invalid_scope', `Scope not allowed for this application: ${notAllowed.join(' ')}`));

  const challenge = one('code_challenge');
  const method = one('code_challenge_method');
  if (challenge === undefined) {
    if (method !== undefined) return fail(invalidRequest('code_challenge_method without code_challenge'));
    if (client.type === 'public') return fail(invalidRequest('PKCE is required: send code_challenge with code_challenge_method=S256'));
  } else {
    if (method !== 'S256') return fail(invalidRequest('code_challenge_method must be S256'));
    if (!PKCE_VALUE.test(challenge)) return fail(invalidRequest('code_challenge must be 43–128 characters [A-Za-z0-9-._~]'));
  }
  return { kind: 'ok', request: { client, redirectUri, scopes, state, codeChallenge: challenge ?? null } };
}

/** True when the user already approved at least these scopes for the app. */
export async function consentRemembered(rt: Runtime, user: UserRecord, req: AuthorizeRequest): Promise<boolean> {
  const approved = await rt.store.oauth.consents.get(user.id, req.client.id);
  return approved !== undefined && missing(approved, req.scopes).length === 0;
}

/** Records the approval and issues a code; returns the redirect the browser must follow. */
export async function approve(rt: Runtime, user: UserRecord, req: AuthorizeRequest, issuer: string): Promise<string> {
  const now = rt.clock.now();
  const approved = (await rt.store.oauth.consents.get(user.id, req.client.id)) ?? [];
  if (missing(approved, req.scopes).length > 0) {
    await rt.store.oauth.consents.save(user.id, req.client.id, [...new Set([...approved, ...req.scopes])], now);
  }
  const code = issueSecret(CODE_PREFIX);
  await rt.store.oauth.codes.create({
    hash: code.hash,
    clientId: req.client.id,
    userId: user.id,
    redirectUri: req.redirectUri,
    scopes: req.scopes,
    codeChallenge: req.codeChallenge,
    createdAt: now,
    expiresAt: now + CODE_TTL_MS,
  });
  return redirectWith(req.redirectUri, { code: code.secret, state: req.state, iss: issuer });
}

/** The app's redirect URI carrying an authorization error (RFC 6749 §4.1.2.1) and `iss` (RFC 9207). */
export function errorRedirect(redirectUri: string, state: string | null, error: GatehouseError, issuer: string): string {
  return redirectWith(redirectUri, { error: error.code === 'validation_failed' ? 'invalid_request' : error.code, error_description: error.detail, state, iss: issuer });
}

function redirectWith(uri: string, params: Record<string, string | null>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.append(k, v);
  return url.toString();
}

/** CSP form-action sources a page needs when its form may end in a redirect to the app of `next`. */
export async function formTargetsForNext(rt: Runtime, next: string): Promise<string[]> {
  if (!next.startsWith('/oauth/authorize?')) return [];
  const check = await checkAuthorizeRequest(rt, new URL(next, 'http://localhost').searchParams);
  if (check.kind === 'show') return [];
  return [cspSourceFor(check.kind === 'ok' ? check.request.redirectUri : check.redirectUri)];
}
