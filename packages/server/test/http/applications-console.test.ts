/**
 * Developer Console → Applications over real HTTP with a cookie jar, as a browser without
 * JavaScript would post the forms: create (secret shown once), refused forms come back filled
 * in, edit, rotate, delete, CSRF on every form, and someone else's app is a 404.
 */
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/core/credentials.js';
import type { UserRecord } from '../../src/core/model/user.js';
import { BACKENDS } from '../helpers/backends.js';
import { type ConsoleSession, call, consoleLogin } from '../helpers/http.js';
import { type TestServer, seedUser, useServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const SECRET = /cs_[0-9A-Za-z]{36}/g;

describe.each(BACKENDS)('console applications pages on $name', (backend) => {
  let alice: UserRecord;
  let aliceSession: ConsoleSession;
  let bobSession: ConsoleSession;

  const getServer = useServer(backend, {}, async (server) => {
    await seedUser(server, 'root@example.com', PASSWORD);
    alice = await seedUser(server, 'alice@example.com', PASSWORD);
    await seedUser(server, 'bob@example.com', PASSWORD);
    aliceSession = await consoleLogin(server.url, 'alice@example.com', PASSWORD);
    bobSession = await consoleLogin(server.url, 'bob@example.com', PASSWORD);
  });

  const page = (s: TestServer, path: string, session: ConsoleSession = aliceSession) => call(s.url, 'GET', path, { session });
  /** Posts a form the way a browser does; `csrf: null` leaves the field out. */
  const submit = (s: TestServer, path: string, fields: Array<[string, string]>, options: { session?: ConsoleSession; csrf?: string | null } = {}) => {
    const session = options.session ?? aliceSession;
    const csrf = options.csrf === undefined ? session.csrf : options.csrf;
    const body = new URLSearchParams(csrf === null ? fields : [['csrf', csrf], ...fields]);
    return call(s.url, 'POST', path, { session, body });
  };
  /** A complete create form; `extra` replaces the fields it names. */
  const appFields = (name: string, uris: string, extra: Array<[string, string]> = []): Array<[string, string]> => {
    const base: Array<[string, string]> = [['name', name], ['redirect_uris', uris], ['scopes', 'read'], ['scopes', 'write'], ['type', 'confidential'], ['refresh_grace_seconds', '0']];
    const replaced = new Set(extra.map(([k]) => k));
    return [...base.filter(([k]) => !replaced.has(k)), ...extra];
  };
  const idIn = (html: string) => /data-testid="client-id">(app_[0-9A-Za-z]+)</.exec(html)?.[1];
  const clients = (s: TestServer) => s.runtime.store.oauth.clients.list(alice.id);

  it('sends a signed-out visitor to sign in', async (ctx) => {
    const server = getServer(ctx);
    const r = await call(server.url, 'GET', '/console/applications');
    expect(r.res.status).toBe(302);
    expect(r.res.headers.get('location')).toBe('/console/login?next=%2Fconsole%2Fapplications');
  });

  it('offers every registry scope, both types and the options on the new-application form', async (ctx) => {
    const server = getServer(ctx);
    const r = await page(server, '/console/applications/new');
    expect(r.res.status).toBe(200);
    for (const scope of ['read', 'write', 'delete', 'admin']) expect(r.text).toContain(`name="scopes" value="${scope}"`);
    expect(r.text).toMatch(/<textarea[^>]*name="redirect_uris"/);
    expect(r.text).toContain('name="type" value="confidential"');
    expect(r.text).toContain('name="type" value="public"');
    expect(r.text).toContain('name="jwt_access_tokens"');
    expect(r.text).toMatch(/name="refresh_grace_seconds"[^>]*max="300"|max="300"[^>]*name="refresh_grace_seconds"/);
    // A new app starts with the default refresh reuse window.
    expect(r.text).toMatch(/name="refresh_grace_seconds"[^>]*value="30"/);
    const nav = await page(server, '/console/applications');
    expect(nav.text).toContain('href="/console/applications/new"');
  });

  it('creates an app: client_id and the secret shown once, stored hashed, never shown again', async (ctx) => {
    const server = getServer(ctx);
    const uris = 'https://app.example.com/callback\r\nhttp://127.0.0.1/callback\r\n';
    const r = await submit(server, '/console/applications', appFields('Console App', uris, [['jwt_access_tokens', 'on'], ['refresh_grace_seconds', '45']]));
    expect(r.res.status, r.text).toBe(200);
    const shown = r.text.match(SECRET) ?? [];
    expect(shown.length).toBe(1);
    const secret = shown[0]!;
    expect(r.text).toMatch(/shown <strong>only once<\/strong>/);
    expect(r.text).toContain('data-copy="secret-value"');
    const id = idIn(r.text);
    expect(id).toMatch(/^app_/);
    const record = await server.runtime.store.oauth.clients.get(id!);
    expect(record).toMatchObject({
      ownerId: alice.id,
      name: 'Console App',
      type: 'confidential',
      redirectUris: ['https://app.example.com/callback', 'http://127.0.0.1/callback'],
      scopes: ['read', 'write'],
      jwtAccessTokens: true,
      refreshGraceSeconds: 45,
      secretHash: hashSecret(secret),
    });

    const detail = await page(server, `/console/applications/${id}`);
    expect(detail.res.status).toBe(200);
    expect(detail.text).not.toContain(secret);
    expect(detail.text).toContain(`${record!.secretStart}…`);
    const list = await page(server, '/console/applications');
    expect(list.text).toContain(`data-client-id="${id}"`);
    expect(list.text).toContain('Console App');
    expect(list.text).not.toContain(secret);
  });

  it('creates a public app without a secret', async (ctx) => {
    const server = getServer(ctx);
    const r = await submit(server, '/console/applications', appFields('Native', 'com.example.native:/cb', [['type', 'public']]));
    expect(r.res.status, r.text).toBe(200);
    expect(r.text.match(SECRET)).toBeNull();
    const record = await server.runtime.store.oauth.clients.get(idIn(r.text)!);
    expect(record).toMatchObject({ type: 'public', secretHash: null });
    expect((await page(server, `/console/applications/${record!.id}`)).text).not.toContain('/rotate-secret');
  });

  it('shows a refused form again, filled in, with the reason; nothing is created', async (ctx) => {
    const server = getServer(ctx);
    const before = (await clients(server)).length;
    for (const [fields, reason] of [
      [appFields('Insecure', 'http://app.example.com/cb'), /https/],
      [appFields('Fragment', 'https://app.example.com/cb#x'), /fragment/],
      [appFields('Relative', '/callback'), /absolute/],
      [appFields('No URIs', '  \r\n '), /redirect URI/],
      [appFields('No scopes', 'https://a.example/cb').filter(([k]) => k !== 'scopes'), /scope/],
      [appFields('Odd scope', 'https://a.example/cb', [['scopes', 'read'], ['scopes', 'superuser']]), /superuser/],
      [appFields('Odd type', 'https://a.example/cb', [['type', 'trusted']]), /confidential or public/],
      [appFields('Long grace', 'https://a.example/cb', [['refresh_grace_seconds', '301']]), /0–300/],
    ] as const) {
      const name = fields.find(([k]) => k === 'name')?.[1] ?? '';
      const r = await submit(server, '/console/applications', [...fields]);
      expect(r.res.status, name).toBe(400);
      expect(r.text).toMatch(/class="error" role="alert"/);
      expect(r.text, name).toMatch(reason);
      expect(r.text).toContain(`value="${name}"`);
    }
    expect((await clients(server)).length).toBe(before);
  });

  it('refuses every form without the CSRF field (403) and changes nothing', async (ctx) => {
    const server = getServer(ctx);
    const created = await submit(server, '/console/applications', appFields('CSRF target', 'https://a.example/cb'));
    const id = idIn(created.text)!;
    const before = await server.runtime.store.oauth.clients.get(id);
    for (const path of ['/console/applications', `/console/applications/${id}`, `/console/applications/${id}/rotate-secret`, `/console/applications/${id}/delete`]) {
      expect((await submit(server, path, appFields('Forged', 'https://evil.example/cb'), { csrf: null })).res.status, path).toBe(403);
      expect((await submit(server, path, appFields('Forged', 'https://evil.example/cb'), { csrf: 'x'.repeat(32) })).res.status, path).toBe(403);
    }
    expect(await server.runtime.store.oauth.clients.get(id)).toEqual(before);
    expect((await clients(server)).some((c) => c.name === 'Forged')).toBe(false);
  });

  it('edits an app (303 back, saved), shows a refused edit with its reason, rotates and deletes', async (ctx) => {
    const server = getServer(ctx);
    const created = await submit(server, '/console/applications', appFields('Editable', 'https://a.example/cb', [['jwt_access_tokens', 'on']]));
    const id = idIn(created.text)!;
    const oldSecret = created.text.match(SECRET)![0];
    const path = `/console/applications/${id}`;

    const saved = await submit(server, path, [['name', 'Edited'], ['redirect_uris', 'https://b.example/cb\nhttp://[::1]/cb'], ['scopes', 'read'], ['refresh_grace_seconds', '300']]);
    expect(saved.res.status).toBe(303);
    expect(saved.res.headers.get('location')).toBe(`${path}?saved`);
    expect(await server.runtime.store.oauth.clients.get(id)).toMatchObject({ name: 'Edited', redirectUris: ['https://b.example/cb', 'http://[::1]/cb'], scopes: ['read'], jwtAccessTokens: false, refreshGraceSeconds: 300 });
    expect((await page(server, `${path}?saved`)).text).toContain('Saved.');

    const refused = await submit(server, path, [['name', 'Worse'], ['redirect_uris', 'https://b.example/cb#frag'], ['scopes', 'read']]);
    expect(refused.res.status).toBe(400);
    expect(refused.text).toMatch(/fragment/);
    expect(refused.text).toContain('https://b.example/cb#frag');
    expect((await server.runtime.store.oauth.clients.get(id))?.name).toBe('Edited');

    const detail = await page(server, path);
    expect(detail.text).toMatch(/action="[^"]+\/delete" data-confirm="[^"]+"/);
    const rotated = await submit(server, `${path}/rotate-secret`, []);
    expect(rotated.res.status).toBe(200);
    const fresh = rotated.text.match(SECRET) ?? [];
    expect(fresh.length).toBe(1);
    expect(fresh[0]).not.toBe(oldSecret);
    expect((await server.runtime.store.oauth.clients.get(id))?.secretHash).toBe(hashSecret(fresh[0]!));

    const deleted = await submit(server, `${path}/delete`, []);
    expect(deleted.res.status).toBe(303);
    expect(deleted.res.headers.get('location')).toBe('/console/applications');
    expect(await server.runtime.store.oauth.clients.get(id)).toBeUndefined();
    expect((await page(server, path)).res.status).toBe(404);
  });

  it("answers 404 for another user's app on every page and form, and leaves it alone", async (ctx) => {
    const server = getServer(ctx);
    const created = await submit(server, '/console/applications', appFields('Alice only', 'https://a.example/cb'));
    const id = idIn(created.text)!;
    const before = await server.runtime.store.oauth.clients.get(id);
    const path = `/console/applications/${id}`;
    const viewed = await page(server, path, bobSession);
    expect(viewed.res.status).toBe(404);
    expect(viewed.text).not.toContain('Alice only');
    for (const p of [path, `${path}/rotate-secret`, `${path}/delete`]) {
      expect((await submit(server, p, appFields('Bob was here', 'https://bob.example/cb'), { session: bobSession })).res.status, p).toBe(404);
    }
    expect(await server.runtime.store.oauth.clients.get(id)).toEqual(before);
    expect((await page(server, '/console/applications', bobSession)).text).not.toContain(id);
  });
});
