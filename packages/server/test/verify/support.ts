/**
 * Shared steps for the gatehouse/verify suites: a real Gatehouse server acting as the issuer,
 * with an account, and the credentials a resource server meets — API keys, `/v0/auth` JWTs,
 * opaque `at_…` tokens and JWT access tokens of OAuth apps (client_credentials) — plus a
 * confidential app whose credentials the resource server uses for introspection.
 */
import { randomBytes } from 'node:crypto';
import { expect, type TestContext } from 'vitest';
import { createClient } from '../../src/core/oauth/clients.js';
import type { UserRecord } from '../../src/core/model/user.js';
import type { Backend } from '../helpers/backends.js';
import { type TestServer, seedKey, seedUser, systemActor, useServer } from '../helpers/server.js';

export interface AppCredentials {
  id: string;
  secret: string;
}

export interface Issuer {
  server: TestServer;
  /** The `aud` the server puts in its JWTs and introspection answers. */
  audience: string;
  user: UserRecord;
  /** The resource server's own confidential app, for introspection. */
  introspection: { clientId: string; clientSecret: string };
  /** A confidential app issuing opaque `at_…` tokens. */
  opaqueApp: AppCredentials;
  /** A confidential app issuing JWT access tokens. */
  jwtApp: AppCredentials;
}

async function confidentialApp(server: TestServer, user: UserRecord, name: string, jwtAccessTokens: boolean): Promise<AppCredentials> {
  const { client, secret } = await createClient(server.runtime, { ...systemActor, user }, user.id, 'confidential', {
    name,
    redirectUris: ['https://app.example.com/callback'],
    scopes: ['read', 'write', 'delete', 'admin'],
    jwtAccessTokens,
  });
  if (!secret) throw new Error('a confidential app has a secret');
  return { id: client.id, secret };
}

/** The account and the apps of an issuer, created on a server just started. */
async function issuerOn(server: TestServer): Promise<Issuer> {
  const user = await seedUser(server, `owner-${randomBytes(4).toString('hex')}@example.com`);
  const rs = await confidentialApp(server, user, 'Resource server', false);
  return {
    server,
    audience: server.runtime.config.audience,
    user,
    introspection: { clientId: rs.id, clientSecret: rs.secret },
    opaqueApp: await confidentialApp(server, user, 'Opaque tokens', false),
    jwtApp: await confidentialApp(server, user, 'JWT tokens', true),
  };
}

/** The issuer; like useServer's accessor, it skips the test (or, without a context, throws) when the backend is unavailable. */
export type UsedIssuer = (ctx?: TestContext) => Issuer;

/**
 * An issuer for the enclosing describe: useServer's server with `env`, plus the account and the
 * apps above. `setup` runs once they exist, and only when the backend is available.
 */
export function useIssuer(backend: Backend, env: Record<string, string> = {}, setup?: (issuer: Issuer) => Promise<void>): UsedIssuer {
  let issuer: Issuer | undefined;
  const getServer = useServer(backend, { env }, async (server) => {
    issuer = await issuerOn(server);
    await setup?.(issuer);
  });
  return (ctx) => {
    getServer(ctx);
    // Set whenever the server is: the same hook created it, or the hook failed and no test runs.
    return issuer!;
  };
}

export async function apiKey(issuer: Issuer, scopes: string[], expiresAt: number | null = null): Promise<{ id: string; secret: string }> {
  const { key, secret } = await seedKey(issuer.server, issuer.user, scopes, expiresAt);
  return { id: key.id, secret };
}

/** A JWT from `POST /v0/auth` (the key-pair exchange), for a fresh key allowed `scopes`. */
export async function exchangeJwt(issuer: Issuer, scopes: string[], key?: { id: string; secret: string }): Promise<{ token: string; keyId: string }> {
  const k = key ?? (await apiKey(issuer, scopes));
  const res = await fetch(`${issuer.server.url}/v0/auth`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ key_id: k.id, key_secret: k.secret, scopes }),
  });
  const body = (await res.json()) as { access_token?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { token: body.access_token!, keyId: k.id };
}

/** An access token for `app` by the client_credentials grant (opaque or JWT, as the app is set up). */
export async function clientCredentialsToken(issuer: Issuer, app: AppCredentials, scope: string): Promise<string> {
  const res = await fetch(`${issuer.server.url}/oauth/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  const body = (await res.json()) as { access_token?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.access_token!;
}

/** RFC 7009 revocation of a token by the app it was issued to. */
export async function revokeToken(issuer: Issuer, app: AppCredentials, token: string): Promise<void> {
  const res = await fetch(`${issuer.server.url}/oauth/revoke`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token }),
  });
  expect(res.status).toBe(200);
}

export function jwtHeader(token: string): { kid?: string; alg?: string; typ?: string } {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string; alg?: string; typ?: string };
}

/**
 * Wall-clock time plus an offset the test moves forward: the verifier's `now` when it checks
 * tokens from the issuer, a real server on the system clock. Their `iat` and `exp` follow real
 * time, so a clock standing still (FakeClock) would fall behind them by however long the test
 * has run; this one keeps up, and only the offset is the test's.
 */
export class ShiftedClock {
  offset = 0;
  readonly now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

/**
 * The credential with one character changed: the last one of an opaque secret (its checksum),
 * or one inside a JWT's signature (the last character may only carry padding bits).
 */
export function tamper(token: string): string {
  const at = token.split('.').length === 3 ? token.lastIndexOf('.') + 5 : token.length - 1;
  const swapped = token[at] === 'A' ? 'B' : 'A';
  return `${token.slice(0, at)}${swapped}${token.slice(at + 1)}`;
}

/** A `fetch` that records every URL it is asked for. */
export function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input, init) => {
      urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return fetch(input, init);
    },
  };
}
