/**
 * The SDK in real Chromium. src/client/index.ts is bundled with esbuild for the browser (and
 * must hold no `node:` import), served from a tiny page server on its own loopback origin, and
 * used from pages there against a Gatehouse server that allows that origin through
 * GATEHOUSE_CORS_ORIGINS: API-key and key-pair calls; a public app's PKCE (Web Crypto), code
 * exchange, refresh and revocation inside a page; and the browser OAuth example of
 * docs/client.md run as written — a user signs in and allows on the real console pages, and the
 * callback page exchanges the code and calls the API.
 */
import { createHash } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Client from '@gatehouse/client';
import { sqlite } from '../helpers/backends.js';
import { launchChromium, watchPage } from '../helpers/browser.js';
import { type TestServer, seedKey, seedUser, startTestServer } from '../helpers/server.js';
import { CLIENT_ENTRY, bundleExample, example } from './examples.js';
import { PASSWORD, answerConsent, registerApp, requestCount, signedInUser } from './support.js';

const html = (script: string) => `<!doctype html><html><head><meta charset="utf-8"><title>app</title></head><body>${script}</body></html>`;
const INDEX = html('<script type="module">import * as client from "/client.js"; window.gatehouseClient = client;</script>');

describe('gatehouse/client bundled for the browser, in Chromium', () => {
  const files = new Map<string, { type: string; body: string }>();
  let pages: Server | undefined;
  let origin = '';
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  let bundle = '';
  let inputs: string[] = [];

  beforeAll(async () => {
    const result = await build({ entryPoints: [CLIENT_ENTRY], bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent' });
    bundle = result.outputFiles[0]!.text;
    inputs = Object.keys(result.metafile.inputs);
    browser = await launchChromium();
    if (!browser) return;
    pages = createServer((req, res) => {
      const file = files.get(new URL(req.url ?? '/', 'http://x').pathname);
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' }).end(file.body);
    });
    await new Promise<void>((resolve) => pages!.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    server = await startTestServer(sqlite, { env: { GATEHOUSE_CORS_ORIGINS: origin } });
    files.set('/', { type: 'text/html', body: INDEX });
    files.set('/client.js', { type: 'text/javascript', body: bundle });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await new Promise((resolve) => (pages ? pages.close(resolve) : resolve(undefined)));
  });

  it('bundles to an ES module with no Node-only code, from the SDK sources alone', () => {
    expect(bundle.length).toBeGreaterThan(1000);
    expect(bundle).not.toMatch(/\bnode:/);
    expect(bundle).not.toMatch(/\brequire\(/);
    expect(bundle).not.toMatch(/\bBuffer\b/);
    expect(bundle).not.toMatch(/\bprocess\./);
    expect(bundle).toMatch(/export\s*{[^}]*\bGatehouse\b/);
    const root = relative(process.cwd(), CLIENT_ENTRY).replace(/index\.ts$/, '');
    expect(inputs.length).toBeGreaterThan(5);
    for (const input of inputs) expect(input.startsWith(root), input).toBe(true);
  });

  async function sdkPage(): Promise<Page> {
    const page = await browser!.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'gatehouseClient' in window);
    return page;
  }

  it('calls the API from another origin with an API key and with a key pair', async (ctx) => {
    if (!browser || !server) return ctx.skip();
    const { key, secret } = await seedKey(server, await seedUser(server), ['read']);
    const page = await sdkPage();
    const problems = watchPage(page);
    const authsBefore = requestCount(server, 'POST', '/v0/auth');
    const result = await page.evaluate(
      async ({ baseUrl, apiKey, keyId }) => {
        const { Gatehouse } = (window as unknown as { gatehouseClient: typeof Client }).gatehouseClient;
        const withKey = await new Gatehouse({ baseUrl, apiKey }).json('/v1/agents');
        const gh = new Gatehouse({ baseUrl, keyPair: { keyId, keySecret: apiKey, scopes: ['read'] } });
        const burst = await Promise.all(Array.from({ length: 10 }, () => gh.json('/v1/agents')));
        return { withKey, burst, jwt: (await gh.accessToken()).split('.').length };
      },
      { baseUrl: server.url, apiKey: secret, keyId: key.id },
    );
    expect(result).toEqual({ withKey: { data: [] }, burst: Array(10).fill({ data: [] }), jwt: 3 });
    expect(requestCount(server, 'POST', '/v0/auth') - authsBefore).toBe(1);
    expect(problems).toEqual({ pageErrors: [], consoleErrors: [], cspViolations: [] });
    await page.close();
  });

  it('surfaces a refused call as GatehouseApiError in the page', async (ctx) => {
    if (!browser || !server) return ctx.skip();
    const page = await sdkPage();
    const result = await page.evaluate(async (baseUrl) => {
      const { Gatehouse, GatehouseApiError } = (window as unknown as { gatehouseClient: typeof Client }).gatehouseClient;
      try {
        await new Gatehouse({ baseUrl, apiKey: 'sk_000000000000000000000000000000000000' }).json('/v1/agents');
        return 'no error';
      } catch (err) {
        if (!(err instanceof GatehouseApiError)) return String(err);
        return { status: err.status, detail: err.detail, challenge: err.wwwAuthenticate };
      }
    }, server.url);
    expect(result).toEqual({ status: 401, detail: expect.any(String), challenge: expect.stringMatching(/error="invalid_token"/) });
    await page.close();
  });

  it('runs PKCE, the code exchange, refresh and revocation of a public app inside the page', async (ctx) => {
    if (!browser || !server) return ctx.skip();
    const redirectUri = `${origin}/callback`;
    const { client } = await registerApp(server, 'public', [redirectUri]);
    const page = await sdkPage();
    const problems = watchPage(page);
    const options = { baseUrl: server.url, clientId: client.id, redirectUri };
    const request = await page.evaluate(async ({ baseUrl, clientId, redirectUri }) => {
      const { Gatehouse, WebStorageTokenStore } = (window as unknown as { gatehouseClient: typeof Client }).gatehouseClient;
      const gh = new Gatehouse({ baseUrl, oauth: { clientId, redirectUri, scope: 'read', store: new WebStorageTokenStore(sessionStorage) } });
      return gh.oauth.authorizationUrl();
    }, options);
    expect(new URL(request.url).searchParams.get('code_challenge')).toBe(createHash('sha256').update(request.codeVerifier).digest('base64url'));
    // The user's part happens on Gatehouse's pages; here over HTTP, as the signed-in user.
    const callback = await answerConsent(server, await signedInUser(server), request.url);
    const result = await page.evaluate(
      async ({ options, callback, request }) => {
        const { baseUrl, clientId, redirectUri } = options;
        const { Gatehouse, WebStorageTokenStore } = (window as unknown as { gatehouseClient: typeof Client }).gatehouseClient;
        const gh = new Gatehouse({ baseUrl, oauth: { clientId, redirectUri, scope: 'read', store: new WebStorageTokenStore(sessionStorage) } });
        const tokens = await gh.oauth.handleCallback(callback, request);
        const agents = await gh.json('/v1/agents');
        const refreshed = await gh.oauth.refresh();
        const stored = JSON.parse(sessionStorage.getItem('gatehouse.tokens') ?? 'null') as { refreshToken?: string } | null;
        await gh.oauth.revoke();
        return { first: tokens.refreshToken, second: refreshed.refreshToken, stored: stored?.refreshToken, agents, after: sessionStorage.getItem('gatehouse.tokens') };
      },
      { options, callback, request },
    );
    expect(result.first).toMatch(/^rt_/);
    expect(result.second).toMatch(/^rt_/);
    expect(result.second).not.toBe(result.first);
    expect(result.stored).toBe(result.second);
    expect(result.agents).toEqual({ data: [] });
    expect(result.after).toBeNull();
    expect(problems).toEqual({ pageErrors: [], consoleErrors: [], cspViolations: [] });
    await page.close();
  });

  /** Serves the three browser files of the guide's OAuth example for a public app; returns the app. */
  async function serveOAuthExample() {
    const { client } = await registerApp(server!, 'public', [`${origin}/callback`]);
    const place = (source: string) =>
      source.replaceAll('https://api.example.com', server!.url).replaceAll('https://app.example.com', origin).replaceAll('app_YOUR_CLIENT_ID', client.id);
    const modules = { './gatehouse.js': place(example('browser-gatehouse')) };
    const login = await bundleExample(place(example('browser-login')), 'browser', modules);
    const callback = await bundleExample(place(example('browser-callback')), 'browser', modules);
    for (const code of [login, callback]) expect(code).not.toMatch(/\bnode:/);
    files.set('/login', { type: 'text/html', body: html('<script type="module" src="/login.js"></script>') });
    files.set('/login.js', { type: 'text/javascript', body: login });
    files.set('/callback', { type: 'text/html', body: html('<script type="module" src="/callback.js"></script>') });
    files.set('/callback.js', { type: 'text/javascript', body: callback });
    return client;
  }

  /**
   * Opens the app's /login page in a fresh browser context and signs in on Gatehouse's page;
   * answers the consent screen when `consent` is true. Returns the page once it is back on the
   * app (or after 10 s), with the problems it reported.
   */
  async function signInThroughApp(email: string, consent: boolean) {
    const page = await (await browser!.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    const problems = watchPage(page);
    await page.goto(`${origin}/login`);
    await page.waitForURL(/\/console\/login\?/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (consent) await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${origin}/`).catch(() => undefined);
    // Navigations the browser refused show up as CSP violations: report them first, by name.
    expect(problems.cspViolations).toEqual([]);
    await page.getByText('You have 0 agents').waitFor();
    expect(page.url()).toBe(`${origin}/`);
    return { page, problems };
  }

  it('runs the browser OAuth example of docs/client.md: sign in, allow, callback, API call', async (ctx) => {
    if (!browser || !server) return ctx.skip();
    await serveOAuthExample();
    const email = `browser-${crypto.randomUUID()}@example.com`;
    await seedUser(server, email, PASSWORD);
    const tokensBefore = requestCount(server, 'POST', '/oauth/token');

    const { page, problems } = await signInThroughApp(email, true);
    const stored = await page.evaluate(() => ({ tokens: sessionStorage.getItem('gatehouse.tokens'), pending: sessionStorage.getItem('gatehouse.pending') }));
    expect(stored.pending).toBeNull();
    expect(JSON.parse(stored.tokens ?? '{}')).toMatchObject({ accessToken: expect.stringMatching(/^at_/), refreshToken: expect.stringMatching(/^rt_/), scope: 'read write' });
    expect(requestCount(server, 'POST', '/oauth/token') - tokensBefore).toBe(1);
    expect(problems).toEqual({ pageErrors: [], consoleErrors: [], cspViolations: [] });
    await page.context().close();
  });

  it('sends a returning user who already allowed the app straight back after signing in', async (ctx) => {
    if (!browser || !server) return ctx.skip();
    await serveOAuthExample();
    const email = `returning-${crypto.randomUUID()}@example.com`;
    await seedUser(server, email, PASSWORD);
    const first = await signInThroughApp(email, true);
    await first.page.context().close();
    // A new browser: signed out, but the consent is remembered, so no consent screen this time.
    const again = await signInThroughApp(email, false);
    expect(again.problems).toEqual({ pageErrors: [], consoleErrors: [], cspViolations: [] });
    await again.page.context().close();
  });
});
