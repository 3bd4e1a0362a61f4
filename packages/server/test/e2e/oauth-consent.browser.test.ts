/**
 * The OAuth consent flow exactly as a user meets it, in real Chromium against a real server on
 * both backends: a third-party app (its redirect URI is a tiny HTTP server on loopback that
 * records what it receives) sends the user to /oauth/authorize; the user signs in, reads the
 * consent page (the app's name, each scope with its description) and clicks Allow or Deny.
 * Allow lands on the app with `code`, `state` and `iss`, and the code buys tokens that call
 * /v1/agents; Deny lands there with `error=access_denied`, `state` and `iss`. No page may
 * report a script error, a console error or a CSP violation on the way.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/core/oauth/clients.js';
import type { ClientRecord } from '../../src/core/model/client.js';
import { BACKENDS } from '../helpers/backends.js';
import { type PageProblems, launchChromium, watchPage } from '../helpers/browser.js';
import { type TestServer, seedUser, startTestServer, systemActor } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const SCOPES = ['read', 'write'];
const noProblems: PageProblems = { pageErrors: [], consoleErrors: [], cspViolations: [] };

/** The third-party app's callback: records every query it receives and answers 200 "done". */
async function startCallback(): Promise<{ server: Server; redirectUri: string; received: URLSearchParams[] }> {
  const received: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/cb') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    received.push(url.searchParams);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><title>Photo Printer</title><p>done</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, redirectUri: `http://127.0.0.1:${port}/cb`, received };
}

describe.each(BACKENDS)('the OAuth consent flow in Chromium on $name', (backend) => {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  let callback: Awaited<ReturnType<typeof startCallback>>;
  let client: ClientRecord;
  let secret: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    if (!browser) return;
    server = await startTestServer(backend);
    if (!server) return;
    callback = await startCallback();
    const dev = await seedUser(server, 'dev@example.com', PASSWORD);
    await seedUser(server, 'alice@example.com', PASSWORD);
    await seedUser(server, 'bob@example.com', PASSWORD);
    const created = await createClient(server.runtime, { ...systemActor, user: dev }, dev.id, 'confidential', {
      name: 'Photo Printer',
      redirectUris: [callback.redirectUri],
      scopes: ['read', 'write', 'delete'],
    });
    client = created.client;
    secret = created.secret!;
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.dispose();
    if (callback) await new Promise((resolve) => callback.server.close(resolve));
  });

  /** A fresh browser profile (no cookies). */
  async function openPage(b: Browser): Promise<{ page: Page; problems: PageProblems }> {
    const context = await b.newContext();
    contexts.push(context);
    context.setDefaultTimeout(10_000); // a failing step reports itself well within the test's timeout
    const page = await context.newPage();
    return { page, problems: watchPage(page) };
  }

  /** The app sends the user to the authorization endpoint and the user signs in there. */
  async function signInFromApp(s: TestServer, page: Page, email: string, state: string, challenge: string): Promise<void> {
    const params = new URLSearchParams({
      client_id: client.id,
      redirect_uri: callback.redirectUri,
      response_type: 'code',
      scope: SCOPES.join(' '),
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await page.goto(`${s.url}/oauth/authorize?${params.toString()}`);
    await page.waitForURL(/\/console\/login\?next=/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Signs in from the app and checks the consent page: the app's name, each scope with its description. */
  async function reachConsent(s: TestServer, page: Page, email: string, state: string, challenge: string): Promise<void> {
    await signInFromApp(s, page, email, state, challenge);
    await page.waitForURL((url) => url.pathname === '/oauth/authorize');
    await page.getByRole('heading', { name: 'Photo Printer wants to access your account' }).waitFor();
    expect(await page.getByTestId('client-name').textContent()).toBe('Photo Printer');
    expect(await page.locator('main').textContent()).toContain(`Signed in as ${email}`);
    const items = (await page.locator('ul.scopes li').allInnerTexts()).map((t) => t.trim());
    const registry = s.runtime.scopes;
    expect(items).toEqual(
      SCOPES.map((scope) => {
        const description = registry.get(scope) ?? '';
        expect(description.length).toBeGreaterThan(0);
        return `${scope} — ${description}`;
      }),
    );
  }

  /** Waits for the browser to arrive at the app; on failure says where it is and what the page reported. */
  async function landOnApp(page: Page, problems: PageProblems): Promise<void> {
    try {
      await page.waitForURL((url) => url.href.startsWith(`${callback.redirectUri}?`));
    } catch {
      throw new Error(`the browser never reached the app's redirect URI (it is at ${page.url()}); page problems: ${JSON.stringify(problems, null, 1)}`);
    }
  }

  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };

  it('signs in, allows, lands on the app with code, state and iss; the code buys a token that calls /v1/agents', async (ctx) => {
    if (!server || !browser) return ctx.skip();
    const { page, problems } = await openPage(browser);
    const state = randomBytes(12).toString('hex');
    const { verifier, challenge } = pkce();
    await reachConsent(server, page, 'alice@example.com', state, challenge);

    const before = callback.received.length;
    await page.getByRole('button', { name: 'Allow' }).click();
    await landOnApp(page, problems);
    expect(await page.locator('p').textContent()).toBe('done');
    expect(callback.received).toHaveLength(before + 1);
    const got = callback.received.at(-1)!;
    expect([...got.keys()].sort()).toEqual(['code', 'iss', 'state']);
    expect(got.get('state')).toBe(state);
    expect(got.get('iss')).toBe(server.url);
    const code = got.get('code') ?? '';
    expect(code).toMatch(/^ac_/);
    expect(new URL(page.url()).searchParams.get('code')).toBe(code);

    const exchange = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: client.id, client_secret: secret, redirect_uri: callback.redirectUri, code_verifier: verifier }),
    });
    expect(exchange.status).toBe(200);
    const tokens = (await exchange.json()) as { access_token: string; refresh_token: string; token_type: string; expires_in: number; scope: string };
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' });
    expect(tokens.access_token).toMatch(/^at_/);
    expect(tokens.refresh_token).toMatch(/^rt_/);
    const agents = await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/json' } });
    expect(agents.status).toBe(200);
    expect(await agents.json()).toEqual({ data: [] });

    expect(problems).toEqual(noProblems);
  });

  it('signs in, denies, lands on the app with error=access_denied, state and iss, and no code', async (ctx) => {
    if (!server || !browser) return ctx.skip();
    const { page, problems } = await openPage(browser);
    const state = randomBytes(12).toString('hex');
    await reachConsent(server, page, 'bob@example.com', state, pkce().challenge);

    const before = callback.received.length;
    await page.getByRole('button', { name: 'Deny' }).click();
    await landOnApp(page, problems);
    expect(await page.locator('p').textContent()).toBe('done');
    expect(callback.received).toHaveLength(before + 1);
    const got = callback.received.at(-1)!;
    expect(got.get('error')).toBe('access_denied');
    expect(got.get('state')).toBe(state);
    expect(got.get('iss')).toBe(server.url);
    expect(got.has('code')).toBe(false);

    expect(problems).toEqual(noProblems);
  });

  it('remembers consent: a user who already allowed these scopes goes from sign-in straight back to the app with a code', async (ctx) => {
    if (!server || !browser) return ctx.skip();
    const carol = await seedUser(server, 'carol@example.com', PASSWORD);
    await server.runtime.store.oauth.consents.save(carol.id, client.id, SCOPES, Date.now());
    const { page, problems } = await openPage(browser);
    const state = randomBytes(12).toString('hex');
    const before = callback.received.length;
    await signInFromApp(server, page, 'carol@example.com', state, pkce().challenge);
    await landOnApp(page, problems);
    expect(callback.received).toHaveLength(before + 1);
    const got = callback.received.at(-1)!;
    expect(got.get('code')).toMatch(/^ac_/);
    expect(got.get('state')).toBe(state);
    expect(got.get('iss')).toBe(server.url);
    expect(problems).toEqual(noProblems);
  });
});
