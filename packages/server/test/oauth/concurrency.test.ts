/**
 * Races at the token endpoint, on both real backends (the store's `oauth.codes.consume` and
 * `oauth.tokens.rotateRefresh` are atomic): 40 parallel refreshes of one refresh token and 40 parallel
 * redemptions of one code each have exactly one winner. With strict rotation (reuse window 0)
 * every loser gets 400 invalid_grant, never a 5xx, and because a replay is treated as theft the
 * losers also revoke what the winner got; inside the default reuse window every loser gets the
 * winner's successor instead, and the grant lives on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { type OAuthResult, REDIRECT_URI, agentsStatus, oauthPost, obtainCode, pkcePair, registerApp } from './support.js';

const N = 40;

function tally(results: OAuthResult[]) {
  const winners = results.filter((r) => r.res.status === 200);
  const losers = results.filter((r) => r.res.status !== 200);
  return { winners, losers };
}

describe.each(BACKENDS)('token endpoint races on $name', (backend) => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it(`${N} parallel refreshes of one refresh token with strict rotation: exactly one 200, the rest invalid_grant, no 5xx`, async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'confidential', { refreshGraceSeconds: 0 });
    const creds = { client_id: app.client.id, client_secret: app.secret! };
    const code = await obtainCode(s, app.client.id);
    const first = await oauthPost(s, '/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...creds });
    expect(first.res.status).toBe(200);
    const refreshToken = String(first.body.refresh_token);

    const results = await Promise.all(Array.from({ length: N }, () => oauthPost(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken, ...creds })));
    const { winners, losers } = tally(results);
    expect(results.filter((r) => r.res.status >= 500)).toEqual([]);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(N - 1);
    for (const l of losers) {
      expect(l.res.status).toBe(400);
      expect(l.body.error).toBe('invalid_grant');
    }
    expect(winners[0]!.body.refresh_token).toMatch(/^rt_/);
    // The replays revoked the grant: the winner's tokens are dead too.
    expect(await agentsStatus(s, String(winners[0]!.body.access_token))).toBe(401);
    const after = await oauthPost(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: String(winners[0]!.body.refresh_token), ...creds });
    expect(after.body.error).toBe('invalid_grant');
  });

  it(`${N} parallel refreshes of one refresh token inside the default reuse window: all 200 with one successor, the grant lives`, async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'confidential');
    const creds = { client_id: app.client.id, client_secret: app.secret! };
    const code = await obtainCode(s, app.client.id);
    const first = await oauthPost(s, '/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...creds });
    expect(first.res.status).toBe(200);
    const refreshToken = String(first.body.refresh_token);

    const results = await Promise.all(Array.from({ length: N }, () => oauthPost(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken, ...creds })));
    expect(results.map((r) => r.res.status)).toEqual(Array.from({ length: N }, () => 200));
    const successors = new Set(results.map((r) => String(r.body.refresh_token)));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    for (const r of results) expect(await agentsStatus(s, String(r.body.access_token))).toBe(200);
    const next = await oauthPost(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: successor!, ...creds });
    expect(next.res.status, JSON.stringify(next.body)).toBe(200);
  });

  it(`${N} parallel redemptions of one code: exactly one 200, the rest invalid_grant, and the winner's token is revoked`, async (ctx) => {
    if (!server) return ctx.skip();
    const s = server;
    const app = await registerApp(s, 'confidential');
    const { verifier, challenge } = pkcePair();
    const code = await obtainCode(s, app.client.id, { codeChallenge: challenge });
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: app.client.id, client_secret: app.secret! };

    const results = await Promise.all(Array.from({ length: N }, () => oauthPost(s, '/oauth/token', form)));
    const { winners, losers } = tally(results);
    expect(results.filter((r) => r.res.status >= 500)).toEqual([]);
    expect(winners).toHaveLength(1);
    for (const l of losers) {
      expect(l.res.status).toBe(400);
      expect(l.body.error).toBe('invalid_grant');
    }
    const winner = winners[0]!.body;
    expect(winner.access_token).toMatch(/^at_/);
    // RFC 6749 §4.1.2 / RFC 9700 §4.2.4: reuse of a code revokes the tokens it issued.
    expect(await agentsStatus(s, String(winner.access_token))).toBe(401);
    const refreshed = await oauthPost(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: String(winner.refresh_token), client_id: app.client.id, client_secret: app.secret! });
    expect(refreshed.body.error).toBe('invalid_grant');
  });
});
