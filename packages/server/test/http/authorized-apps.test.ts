/**
 * Settings → Authorized apps over real HTTP: the user's live grants, one row per app (scopes,
 * since, last used), and Revoke (CSRF-protected, 303 back), which ends every grant and token
 * of that app for this user only and forgets the remembered consent. Grants are seeded through
 * the store, as the token endpoint would create them.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { issueSecret } from '../../src/core/credentials.js';
import { createClient } from '../../src/core/oauth/clients.js';
import type { ClientRecord } from '../../src/core/model/client.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { BACKENDS } from '../helpers/backends.js';
import { type ConsoleSession, call, consoleLogin } from '../helpers/http.js';
import { type TestServer, seedUser, systemActor, useServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const PAGE = '/console/settings/authorized-apps';
const HOUR = 3_600_000;

describe.each(BACKENDS)('Settings → Authorized apps on $name', (backend) => {
  const clock = new FakeClock(Date.UTC(2026, 2, 1, 9, 0));
  let alice: UserRecord;
  let bob: UserRecord;
  let session: ConsoleSession;
  let seq = 0;

  const getServer = useServer(backend, { clock }, async (server) => {
    await seedUser(server, 'dev@example.com', PASSWORD); // the developer who registers the apps
    alice = await seedUser(server, 'alice@example.com', PASSWORD);
    bob = await seedUser(server, 'bob@example.com', PASSWORD);
    session = await consoleLogin(server.url, 'alice@example.com', PASSWORD);
  });

  const registerApp = async (s: TestServer, name: string): Promise<ClientRecord> => {
    const owner = (await s.runtime.store.accounts.findUserByEmail('dev@example.com'))!;
    const { client } = await createClient(s.runtime, { ...systemActor, user: owner }, owner.id, 'confidential', { name, redirectUris: ['https://app.example.com/cb'], scopes: ['read', 'write', 'delete'] });
    return client;
  };
  /** A grant with one live access token, as a code exchange leaves it. */
  const grant = async (s: TestServer, client: ClientRecord, user: UserRecord, scopes: string[]) => {
    const id = `grt_${backend.name}_${++seq}`;
    const access = issueSecret('at_');
    const now = clock.now();
    await s.runtime.store.oauth.grants.create(
      { id, clientId: client.id, userId: user.id, scopes, createdAt: now, revokedAt: null, lastUsedAt: null },
      { access: { hash: access.hash, grantId: id, scopes, createdAt: now, expiresAt: now + HOUR }, refresh: null },
      null,
    );
    return { id, accessHash: access.hash, accessToken: access.secret };
  };
  const rows = (html: string, clientId: string) => html.split(`data-client-id="${clientId}"`).length - 1;
  const revoke = (s: TestServer, clientId: string, csrf: string | null = session.csrf) =>
    call(s.url, 'POST', `${PAGE}/${clientId}/revoke`, { session, body: new URLSearchParams(csrf === null ? {} : { csrf }) });

  it('sends a signed-out visitor to sign in, and says so when nothing is authorized', async (ctx) => {
    const server = getServer(ctx);
    const anon = await call(server.url, 'GET', PAGE);
    expect(anon.res.status).toBe(302);
    expect(anon.res.headers.get('location')).toBe(`/console/login?next=${encodeURIComponent(PAGE)}`);
    const empty = await call(server.url, 'GET', PAGE, { session });
    expect(empty.res.status).toBe(200);
    expect(empty.text).toContain('You have not authorized any applications.');
    expect(empty.text).toContain(`href="${PAGE}"`);
  });

  it('lists live grants one row per app, with the scopes, since and last used', async (ctx) => {
    const server = getServer(ctx);
    const app = await registerApp(server, 'Photo Printer');
    const first = await grant(server, app, alice, ['read']);
    clock.advance(HOUR);
    await grant(server, app, alice, ['read', 'write']);
    await server.runtime.store.oauth.grants.recordUsage(new Map([[first.id, clock.now() + 60_000]]));
    const other = await registerApp(server, 'Not yours');
    await grant(server, other, bob, ['read']);

    const r = await call(server.url, 'GET', PAGE, { session });
    expect(r.res.status).toBe(200);
    expect(rows(r.text, app.id)).toBe(1);
    expect(r.text).toContain('Photo Printer');
    expect(r.text).toContain('<code>read</code> — Read resources');
    expect(r.text).toContain('<code>write</code> — Create and modify resources');
    expect(r.text).not.toContain('<code>delete</code>');
    expect(r.text).toContain('2026-03-01 09:00'); // since: the first grant
    expect(r.text).toContain('2026-03-01 10:01'); // last used
    expect(r.text).not.toContain('Not yours');
    expect(r.text).toMatch(/action="\/console\/settings\/authorized-apps\/app_[0-9A-Za-z]+\/revoke" data-confirm="/);
  });

  it('escapes an application name chosen by a third-party developer', async (ctx) => {
    const server = getServer(ctx);
    const app = await registerApp(server, '<script>alert(1)</script>');
    await grant(server, app, alice, ['read']);
    const r = await call(server.url, 'GET', PAGE, { session });
    expect(r.text).not.toContain('<script>alert(1)</script>');
    expect(r.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('revokes every grant and token of the app for this user only (a cached token stops at once), and forgets the consent', async (ctx) => {
    const server = getServer(ctx);
    const oauth = server.runtime.store.oauth;
    const app = await registerApp(server, 'Revocable');
    const keep = await registerApp(server, 'Kept');
    const a1 = await grant(server, app, alice, ['read']);
    const a2 = await grant(server, app, alice, ['write']);
    const kept = await grant(server, keep, alice, ['read']);
    const bobs = await grant(server, app, bob, ['read']);
    await oauth.consents.save(alice.id, app.id, ['read', 'write'], clock.now());
    await oauth.consents.save(bob.id, app.id, ['read'], clock.now());

    const agents = async (token: string) => (await call(server.url, 'GET', '/v1/agents', { token })).res.status;
    expect(await agents(a1.accessToken)).toBe(200); // now cached by this instance
    expect(await agents(bobs.accessToken)).toBe(200);
    const forged = await revoke(server, app.id, null);
    expect(forged.res.status).toBe(403);
    expect((await oauth.grants.get(a1.id))?.revokedAt).toBeNull();

    // This instance's caches hear about each revoked grant at once.
    const changed: string[] = [];
    server.runtime.revocations.subscribe((id) => changed.push(id));
    clock.advance(5_000);
    const r = await revoke(server, app.id);
    expect([...new Set(changed)].sort()).toEqual([a1.id, a2.id].sort());
    expect(await agents(a1.accessToken)).toBe(401);
    expect(await agents(bobs.accessToken)).toBe(200);
    expect(await agents(kept.accessToken)).toBe(200);
    expect(r.res.status).toBe(303);
    expect(r.res.headers.get('location')).toBe(PAGE);
    for (const g of [a1, a2]) {
      expect((await oauth.grants.get(g.id))?.revokedAt).toBe(clock.now());
      const token = await oauth.tokens.findAccess(g.accessHash);
      expect(token === undefined || token.grant.revokedAt !== null).toBe(true);
    }
    expect(await oauth.consents.get(alice.id, app.id)).toBeUndefined();
    expect((await oauth.grants.get(kept.id))?.revokedAt).toBeNull();
    expect((await oauth.grants.get(bobs.id))?.revokedAt).toBeNull();
    expect(await oauth.consents.get(bob.id, app.id)).toEqual(['read']);

    const after = await call(server.url, 'GET', PAGE, { session });
    expect(rows(after.text, app.id)).toBe(0);
    expect(rows(after.text, keep.id)).toBe(1);
    const audit = await server.runtime.store.audit.list({ subjectUserId: alice.id, limit: 50 });
    expect(audit.find((e) => e.action === 'grant.revoke' && e.target === app.id)).toMatchObject({ actorType: 'user', actorId: alice.id, detail: { grants: 2 } });
  });

  it('answers 404 for an unknown application', async (ctx) => {
    const server = getServer(ctx);
    const r = await revoke(server, 'app_doesnotexist');
    expect(r.res.status).toBe(404);
  });
});
