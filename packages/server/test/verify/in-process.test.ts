/**
 * "No second code path": Gatehouse's own /v1 routes authenticate through gatehouse/verify with
 * an in-process Verifier. The in-process verifier and a resource server's createVerifier give
 * equal credentials for the same tokens, and /v1 refuses exactly as a library-protected
 * resource server does (same status, `WWW-Authenticate` and body).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { localVerifier } from '../../src/http/local-verifier.js';
import { VerifyError, createVerifier, protectedResourceMetadata } from '@gatehouse/verify';
import { BACKENDS } from '../helpers/backends.js';
import { ADAPTERS, type ResourceServer } from './resource-servers.js';
import { apiKey, clientCredentialsToken, exchangeJwt, tamper, useIssuer } from './support.js';

describe.each(BACKENDS)('the in-process verifier on $name', (backend) => {
  let rs: ResourceServer;
  const getIssuer = useIssuer(backend, {}, async (issuer) => {
    const remote = createVerifier({ issuer: issuer.server.url, audience: issuer.audience, introspection: issuer.introspection });
    rs = await ADAPTERS.hono.mount(remote, { realm: 'gatehouse' }, protectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: [issuer.server.url] }));
  });
  // Registered after useIssuer: the resource server closes before the issuer stops.
  afterAll(async () => {
    await rs?.close(); // unset when the backend was unavailable
  });

  it('gives the same credential as createVerifier for every kind of token', async (ctx) => {
    const issuer = getIssuer(ctx);
    const local = localVerifier(issuer.server.runtime);
    const remote = createVerifier({ issuer: issuer.server.url, audience: issuer.audience, introspection: issuer.introspection });
    const key = await apiKey(issuer, ['read', 'write']);
    const expiring = await apiKey(issuer, ['read'], Date.now() + 3_600_123);
    const tokens = [
      key.secret,
      expiring.secret,
      (await exchangeJwt(issuer, ['read'], key)).token,
      await clientCredentialsToken(issuer, issuer.opaqueApp, 'read write'),
      await clientCredentialsToken(issuer, issuer.jwtApp, 'write'),
    ];
    const kinds: string[] = [];
    for (const token of tokens) {
      const mine = await local.verify(token);
      expect(mine).toEqual(await remote.verify(token));
      kinds.push(mine.kind);
    }
    expect(kinds).toEqual(['api_key', 'api_key', 'jwt', 'oauth', 'jwt']);
    for (const bad of [tamper(key.secret), tamper(tokens[3]!), tamper(tokens[2]!), tamper(tokens[4]!), 'not-a-token']) {
      for (const v of [local, remote]) {
        const err = await v.verify(bad).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, bad).toBeInstanceOf(VerifyError);
        expect(err).toMatchObject({ status: 401, error: 'invalid_token' });
      }
    }
  });

  it('makes /v1 refuse exactly like a library-protected resource server', async (ctx) => {
    const issuer = getIssuer(ctx);
    const reader = await apiKey(issuer, ['read']);
    const cases = [
      { what: 'no credentials', headers: {} as Record<string, string>, status: 401 },
      { what: 'malformed header', headers: { Authorization: `Token ${reader.secret}` }, status: 401 },
      { what: 'missing scope', headers: { Authorization: `Bearer ${reader.secret}` }, status: 403 },
    ];
    for (const c of cases) {
      const gatehouse = await fetch(`${issuer.server.url}/v1/agents`, { method: 'POST', headers: { ...c.headers, 'Content-Type': 'application/json' }, body: '{"name":"x"}' });
      const library = await fetch(`${rs.url}/items`, { method: 'POST', headers: c.headers });
      expect(gatehouse.status, c.what).toBe(c.status);
      expect(library.status, c.what).toBe(c.status);
      expect(gatehouse.headers.get('www-authenticate'), c.what).toBe(library.headers.get('www-authenticate'));
      const [g, l] = [(await gatehouse.json()) as { detail: string }, (await library.json()) as { detail: string }];
      if (c.what === 'no credentials') {
        // Gatehouse also accepts its console session, so its hint names the API key.
        expect(g.detail).toContain('Missing credentials');
        expect(l.detail).toContain('Missing credentials');
      } else expect(g, c.what).toEqual(l);
    }
  });
});
