/**
 * The console over plain HTTP, as a browser without JavaScript would use it: sign-up, sign-in,
 * throttling, sign-out, sign-up modes, safe `next` redirects and the API-key forms.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { type Backend, BACKENDS } from '../helpers/backends.js';
import { type TestServer, startTestServer, useServer } from '../helpers/server.js';
import { Browser } from '../helpers/user-agent.js';

const PASSWORD = 'correct horse battery staple';
const CSRF_FIELD = /name="csrf" value="([0-9A-Za-z]{32})"/;
const NEW_SECRET = /data-testid="new-secret">(sk_[0-9A-Za-z]{36})</;
let counter = 0;
const email = (tag: string) => `${tag}-${++counter}-${Date.now()}@example.com`;

/** The shared cookie-keeping client, with the console's sign-up and sign-in steps. */
class ConsoleBrowser extends Browser {
  /** GETs a form page and returns its hidden CSRF value. */
  async csrf(path: string): Promise<string> {
    const html = await (await this.request(path)).text();
    const value = CSRF_FIELD.exec(html)?.[1];
    if (!value) throw new Error(`no csrf field on ${path}`);
    return value;
  }

  async signUp(address: string, password = PASSWORD, extra: Record<string, string> = {}): Promise<Response> {
    const csrf = await this.csrf(`/console/signup${extra.invite ? `?invite=${extra.invite}` : ''}`);
    return this.post('/console/signup', { csrf, email: address, password, next: '', ...extra });
  }

  /** Sign-up opens no session (it answers alike for taken addresses): sign up, then sign in. */
  async register(address: string, password = PASSWORD): Promise<Response> {
    expect((await this.signUp(address, password)).status).toBe(303);
    const res = await this.signIn(address, password);
    expect(res.status).toBe(303);
    return res;
  }

  async signIn(address: string, password: string, next = ''): Promise<Response> {
    const csrf = this.cookies.get('gh_csrf') ?? (await this.csrf('/console/login'));
    return this.post('/console/login', { csrf, email: address, password, next });
  }
}

const quiet = (env: Record<string, string> = {}) => ({ env: { GATEHOUSE_LOG_LEVEL: 'warn', ...env } });

/** A server of the test's own, for limits and modes that must start from nothing. */
async function fresh(backend: Backend, env: Record<string, string> = {}) {
  return startTestServer(backend, quiet(env));
}

describe.each(BACKENDS)('the console over HTTP on $name', (backend) => {
  describe('sign-up, sign-in and sign-out', () => {
    const getServer = useServer(backend, quiet());

    it('signs up with a CSRF-checked form; the first account is admin, the second is not', async (ctx) => {
      const server = getServer(ctx);
      const b = new ConsoleBrowser(server.url);
      const page = await b.request('/console/signup');
      expect(page.status).toBe(200);
      const hidden = CSRF_FIELD.exec(await page.text())?.[1];
      expect(hidden).toBeDefined();
      expect(hidden).toBe(b.cookies.get('gh_csrf'));
      const first = email('first');
      const res = await b.post('/console/signup', { csrf: hidden!, email: first, password: PASSWORD, next: '' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/console/login?signed_up=1&next=%2Fconsole');
      expect(res.headers.getSetCookie().some((c) => c.startsWith('gh_session='))).toBe(false);
      const notice = await (await b.request(res.headers.get('location')!)).text();
      expect(notice).toContain('If that address was new, its account is ready.');
      const signedIn = await b.signIn(first, PASSWORD);
      expect(signedIn.headers.get('location')).toBe('/console');
      const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('gh_session='));
      expect(cookie).toBeDefined();
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
      expect(cookie).not.toMatch(/;\s*Secure/i);
      expect((await b.request('/console/settings/api-keys')).status).toBe(200);

      const second = email('second');
      expect((await new ConsoleBrowser(server.url).signUp(second)).status).toBe(303);
      const store = server.runtime.store;
      expect((await store.accounts.findUserByEmail(first))?.isAdmin).toBe(true);
      expect((await store.accounts.findUserByEmail(second))?.isAdmin).toBe(false);
    });

    it('refuses a sign-up without or with a wrong CSRF value (403, no account)', async (ctx) => {
      const server = getServer(ctx);
      const b = new ConsoleBrowser(server.url);
      const real = await b.csrf('/console/signup');
      const wrong = real.startsWith('A') ? `B${real.slice(1)}` : `A${real.slice(1)}`;
      for (const fields of [{}, { csrf: wrong }, { csrf: '' }]) {
        const address = email('csrf');
        const res = await b.post('/console/signup', { ...fields, email: address, password: PASSWORD, next: '' });
        expect(res.status).toBe(403);
        expect(res.headers.getSetCookie().some((c) => c.startsWith('gh_session='))).toBe(false);
        expect(await server.runtime.store.accounts.findUserByEmail(address)).toBeUndefined();
      }
      // A matching value from another browser (a cross-site page cannot read ours) fails as well.
      const other = await new ConsoleBrowser(server.url).csrf('/console/signup');
      const address = email('csrf');
      expect((await b.post('/console/signup', { csrf: other, email: address, password: PASSWORD })).status).toBe(403);
      expect(await server.runtime.store.accounts.findUserByEmail(address)).toBeUndefined();
    });

    it('explains a weak password (400); sign-up without enumeration: a taken email gets the answer a new one gets', async (ctx) => {
      const server = getServer(ctx);
      const address = email('weak');
      const weak = await new ConsoleBrowser(server.url).signUp(address, 'short pass1');
      expect(weak.status).toBe(400);
      expect(await weak.text()).toContain('Password must be at least 12 characters');
      expect(await server.runtime.store.accounts.findUserByEmail(address)).toBeUndefined();

      const answer = async (r: Response) => ({ status: r.status, location: r.headers.get('location'), cookies: r.headers.getSetCookie().map((c) => c.split('=')[0]), body: await r.text() });
      const fresh = await answer(await new ConsoleBrowser(server.url).signUp(address));
      const taken = await answer(await new ConsoleBrowser(server.url).signUp(address.toUpperCase(), 'another long password'));
      expect(taken).toEqual(fresh);
      expect(fresh.status).toBe(303);
      expect(fresh.cookies).not.toContain('gh_session');
      // The existing account is untouched: its password still works, the other one does not.
      expect((await new ConsoleBrowser(server.url).signIn(address, 'another long password')).status).toBe(401);
      expect((await new ConsoleBrowser(server.url).signIn(address, PASSWORD)).status).toBe(303);
    });

    it('CSRF rotation at sign-in: the value a browser held before signing in stops working after', async (ctx) => {
      const server = getServer(ctx);
      const address = email('rotate');
      expect((await new ConsoleBrowser(server.url).signUp(address)).status).toBe(303);
      const b = new ConsoleBrowser(server.url);
      const before = await b.csrf('/console/login');
      const signedIn = await b.signIn(address, PASSWORD);
      expect(signedIn.status).toBe(303);
      const after = b.cookies.get('gh_csrf');
      expect(after).toMatch(/^[0-9A-Za-z]{32}$/);
      expect(after).not.toBe(before);
      // A form carrying the old value (say, planted before sign-in) is refused, the new one works.
      const planted = await b.post('/console/settings/api-keys', { csrf: before, name: 'planted', scopes: 'read', expires_in: 'never' });
      expect(planted.status).toBe(403);
      expect((await b.post('/console/logout', { csrf: after! })).status).toBe(303);
    });

    it('answers a wrong password and an unknown email with the same 401 page', async (ctx) => {
      const server = getServer(ctx);
      const known = email('known');
      const unknown = email('unknown');
      expect((await new ConsoleBrowser(server.url).signUp(known)).status).toBe(303);
      const b = new ConsoleBrowser(server.url);
      const wrong = await b.signIn(known, 'not the right password');
      const missing = await b.signIn(unknown, 'not the right password');
      expect(wrong.status).toBe(401);
      expect(missing.status).toBe(401);
      const wrongBody = (await wrong.text()).replaceAll(known, 'EMAIL');
      const missingBody = (await missing.text()).replaceAll(unknown, 'EMAIL');
      expect(wrongBody).toContain('Invalid email or password');
      expect(wrongBody).toBe(missingBody);
      expect(b.cookies.has('gh_session')).toBe(false);
      const ok = await b.signIn(known, PASSWORD);
      expect(ok.status).toBe(303);
      expect(b.cookies.has('gh_session')).toBe(true);
    });

    it('follows `next` only to a same-site path', async (ctx) => {
      const server = getServer(ctx);
      const address = email('next');
      expect((await new ConsoleBrowser(server.url).signUp(address)).status).toBe(303);
      const cases: Array<[string, string]> = [
        ['/console/settings/api-keys', '/console/settings/api-keys'],
        ['//evil.example', '/console'],
        ['https://evil.example', '/console'],
        ['/\\evil.example', '/console'],
      ];
      for (const [next, expected] of cases) {
        const res = await new ConsoleBrowser(server.url).signIn(address, PASSWORD, next);
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe(expected);
      }
      const signup = await new ConsoleBrowser(server.url).signUp(email('next'), PASSWORD, { next: 'https://evil.example' });
      expect(signup.headers.get('location')).toBe('/console/login?signed_up=1&next=%2Fconsole');
    });

    it('signs out with a CSRF-checked POST; the old session cookie stops working', async (ctx) => {
      const server = getServer(ctx);
      const b = new ConsoleBrowser(server.url);
      await b.register(email('logout'));
      const session = b.cookies.get('gh_session')!;
      expect((await b.post('/console/logout', {})).status).toBe(403);
      expect((await b.request('/console/settings/api-keys')).status).toBe(200);

      const out = await b.post('/console/logout', { csrf: b.cookies.get('gh_csrf')! });
      expect(out.status).toBe(303);
      expect(out.headers.get('location')).toBe('/console/login');
      expect(b.cookies.has('gh_session')).toBe(false);
      const replay = await fetch(`${server.url}/console/settings/api-keys`, { headers: { cookie: `gh_session=${session}` }, redirect: 'manual' });
      expect(replay.status).toBe(302);
      expect(replay.headers.get('location')).toBe(`/console/login?next=${encodeURIComponent('/console/settings/api-keys')}`);
    });
  });

  describe('sign-in throttling', () => {
    let server: TestServer | undefined;
    afterAll(async () => {
      await server?.dispose();
    });

    it('locks one account after 5 failures (429 + Retry-After even with the right password); others still sign in', async (ctx) => {
      server = await fresh(backend);
      if (!server) return ctx.skip();
      const target = email('target');
      const bystander = email('bystander');
      await new ConsoleBrowser(server.url).signUp(target);
      await new ConsoleBrowser(server.url).signUp(bystander);
      const b = new ConsoleBrowser(server.url);
      for (let i = 0; i < 5; i++) expect((await b.signIn(target, `wrong password ${i}`)).status).toBe(401);
      const locked = await b.signIn(target, PASSWORD);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(locked.headers.getSetCookie().some((c) => c.startsWith('gh_session='))).toBe(false);
      expect((await b.signIn(bystander, PASSWORD)).status).toBe(303);
    });

    it('locks one IP after 30 failures across accounts', async (ctx) => {
      await server?.dispose();
      server = await fresh(backend);
      if (!server) return ctx.skip();
      const victim = email('victim');
      await new ConsoleBrowser(server.url).signUp(victim);
      const b = new ConsoleBrowser(server.url);
      for (let i = 0; i < 30; i++) {
        // Five per address keeps every account under its own limit.
        expect((await b.signIn(`spray-${Math.floor(i / 5)}@example.com`, `guess ${i}`)).status).toBe(401);
      }
      const blocked = await b.signIn(victim, PASSWORD);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('sign-up modes', () => {
    const servers: TestServer[] = [];
    afterAll(async () => {
      for (const s of servers) await s.dispose();
    });

    it('GATEHOUSE_SIGNUP=closed admits only the very first account', async (ctx) => {
      const server = await fresh(backend, { GATEHOUSE_SIGNUP: 'closed' });
      if (!server) return ctx.skip();
      servers.push(server);
      const first = email('closed-first');
      expect((await new ConsoleBrowser(server.url).signUp(first)).status).toBe(303);
      expect((await server.runtime.store.accounts.findUserByEmail(first))?.isAdmin).toBe(true);
      const late = email('closed-late');
      const refused = await new ConsoleBrowser(server.url).signUp(late);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('Sign-up is closed');
      expect(await server.runtime.store.accounts.findUserByEmail(late)).toBeUndefined();
    });

    it('GATEHOUSE_SIGNUP=invite needs an invite from `gatehouse users invite`, usable once', async (ctx) => {
      const server = await fresh(backend, { GATEHOUSE_SIGNUP: 'invite' });
      if (!server) return ctx.skip();
      servers.push(server);
      expect((await new ConsoleBrowser(server.url).signUp(email('invite-first'))).status).toBe(303);
      const uninvited = email('uninvited');
      expect((await new ConsoleBrowser(server.url).signUp(uninvited)).status).toBe(403);
      expect(await server.runtime.store.accounts.findUserByEmail(uninvited)).toBeUndefined();

      const out: string[] = [];
      const io = { env: { ...server.backend.env }, out: (t: string) => out.push(t), err: (t: string) => out.push(t), readStdin: async () => '' };
      expect(await runCli(['users', 'invite', '--json'], io)).toBe(0);
      const { invite } = JSON.parse(out.join('')) as { invite: string };
      expect(invite).toMatch(/^inv_/);
      const page = await new ConsoleBrowser(server.url).request(`/console/signup?invite=${invite}`);
      expect(await page.text()).toContain(`name="invite" value="${invite}"`);

      const invited = email('invited');
      expect((await new ConsoleBrowser(server.url).signUp(invited, PASSWORD, { invite })).status).toBe(303);
      expect((await server.runtime.store.accounts.findUserByEmail(invited))?.isAdmin).toBe(false);
      const reuse = email('reuse');
      const again = await new ConsoleBrowser(server.url).signUp(reuse, PASSWORD, { invite });
      expect(again.status).toBe(403);
      expect(await again.text()).toContain('This invite is invalid, used or expired');
      expect(await server.runtime.store.accounts.findUserByEmail(reuse)).toBeUndefined();
    });
  });

  describe('Settings → API Keys forms', () => {
    let b: ConsoleBrowser;
    const getServer = useServer(backend, quiet(), async (server) => {
      b = new ConsoleBrowser(server.url);
      await b.register(email('keys'));
    });
    const agents = (secret: string) => fetch(`${getServer().url}/v1/agents`, { headers: { Authorization: `Bearer ${secret}` } }).then((r) => r.status);
    const create = async (name: string, scopes: string[], expires = 'never') => {
      const res = await b.post('/console/settings/api-keys', { csrf: b.cookies.get('gh_csrf')!, name, scopes, expires });
      return { res, html: await res.text() };
    };
    const keyFor = async (secret: string) => {
      const keys = await getServer().runtime.store.apiKeys.list({});
      const key = keys.find((k) => secret.startsWith(k.start) && k.revokedAt === null);
      if (!key) throw new Error('key not found');
      return key;
    };

    it('creates a key, shows the secret once with no-store, then lists only its start', async (ctx) => {
      getServer(ctx); // skips the test without a backend; the helpers below reach the server
      const before = Date.now();
      const { res, html } = await create('ci server', ['read', 'write'], '30d');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const secret = NEW_SECRET.exec(html)?.[1];
      expect(secret).toBeDefined();
      const key = await keyFor(secret!);
      expect(key.name).toBe('ci server');
      expect(key.scopes).toEqual(['read', 'write']);
      expect(key.expiresAt! - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1000);
      expect(key.expiresAt! - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
      expect(await agents(secret!)).toBe(200);

      const list = await (await b.request('/console/settings/api-keys')).text();
      expect(list).toContain(`${key.start}…`);
      expect(list).not.toContain(secret!);
      expect(list).not.toMatch(NEW_SECRET);
    });

    it('refuses an unknown expiry or scope with a 400 page and no key', async (ctx) => {
      const server = getServer(ctx);
      const count = (await server.runtime.store.apiKeys.list({})).length;
      const badExpiry = await create('bad', ['read'], 'forever');
      expect(badExpiry.res.status).toBe(400);
      expect(badExpiry.html).toContain('Choose an expiry from the list');
      const badScope = await create('bad', ['read', 'superuser']);
      expect(badScope.res.status).toBe(400);
      expect(badScope.html).toContain('Unknown scope: superuser');
      expect(await server.runtime.store.apiKeys.list({})).toHaveLength(count);
    });

    it('rolls with a grace period or none, and revokes with a 303', async (ctx) => {
      const server = getServer(ctx);
      const csrf = b.cookies.get('gh_csrf')!;
      const graced = NEW_SECRET.exec((await create('graced', ['read'])).html)![1]!;
      const gracedKey = await keyFor(graced);
      const rolled = await b.post(`/console/settings/api-keys/${gracedKey.id}/roll`, { csrf, grace: '3600000' });
      expect(rolled.status).toBe(200);
      expect(rolled.headers.get('cache-control')).toBe('no-store');
      const next = NEW_SECRET.exec(await rolled.text())?.[1];
      expect(next).toBeDefined();
      expect(next).not.toBe(graced);
      expect(await agents(next!)).toBe(200);
      expect(await agents(graced)).toBe(200);

      const hard = NEW_SECRET.exec((await create('hard', ['read'])).html)![1]!;
      const hardKey = await keyFor(hard);
      expect(await agents(hard)).toBe(200);
      expect((await b.post(`/console/settings/api-keys/${hardKey.id}/roll`, { csrf, grace: '5' })).status).toBe(400);
      const replaced = await b.post(`/console/settings/api-keys/${hardKey.id}/roll`, { csrf, grace: '0' });
      const hardNext = NEW_SECRET.exec(await replaced.text())![1]!;
      expect(await agents(hard)).toBe(401);
      expect(await agents(hardNext)).toBe(200);

      expect((await b.post(`/console/settings/api-keys/${hardKey.id}/revoke`, {})).status).toBe(403);
      const revoked = await b.post(`/console/settings/api-keys/${hardKey.id}/revoke`, { csrf });
      expect(revoked.status).toBe(303);
      expect(revoked.headers.get('location')).toBe('/console/settings/api-keys');
      expect(await agents(hardNext)).toBe(401);
      expect((await server.runtime.store.apiKeys.get(hardKey.id))?.revokedAt).not.toBeNull();
    });
  });
});
