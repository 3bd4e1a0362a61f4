/**
 * Settings → API Keys exactly as a user drives it, in real Chromium against a real server on
 * both backends: sign up, create a key (shown once, copied), call the API with it, see it
 * listed without its secret, revoke it, roll another with a grace period, sign out.
 * Every page must run without script errors or CSP violations (its only script is
 * /assets/console.js). A FakeClock makes the dates on the page exact.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { type PageProblems, launchChromium, watchPage } from '../helpers/browser.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SETTINGS = '/console/settings/api-keys';
const shown = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

async function listAgents(server: TestServer, secret: string): Promise<Response> {
  return fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' } });
}

/** The visible cells of the key's table row, by column header. */
async function keyRow(page: Page, keyId: string): Promise<Record<string, string>> {
  const headers = await page.getByRole('columnheader').allInnerTexts();
  const cells = await page.getByRole('row').filter({ hasText: keyId }).getByRole('cell').allInnerTexts();
  expect(cells).toHaveLength(headers.length);
  return Object.fromEntries(headers.map((h, i) => [h.replace(/\s+/g, ' ').trim(), (cells[i] ?? '').trim()]));
}

/** Sign-up from the console's front door: /console → sign-in → "Create one" → sign-in. */
async function signUp(page: Page, server: TestServer, email: string): Promise<void> {
  await page.goto(`${server.url}/console`);
  await page.waitForURL(/\/console\/login(\?|$)/);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('link', { name: 'Create one' }).click();
  await page.waitForURL(/\/console\/signup(\?|$)/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  // Sign-up answers alike for new and taken addresses and opens no session: sign in next.
  await page.waitForURL(/\/console\/login\?signed_up=1/);
  await page.getByRole('status').filter({ hasText: 'its account is ready' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}${SETTINGS}`);
  await page.getByRole('heading', { name: 'Settings → API Keys' }).waitFor();
}

/** Create New Key → fill the form → submit; returns what the page shows once. */
async function createKey(page: Page, name: string, options: { write: boolean; expires: string }): Promise<{ secret: string; keyId: string }> {
  await page.getByRole('link', { name: 'Create New Key' }).click();
  await page.getByLabel('Name').fill(name);
  const read = page.getByRole('checkbox', { name: /^read\b/ });
  expect(await read.isChecked()).toBe(true);
  if (options.write) await page.getByRole('checkbox', { name: /^write\b/ }).check();
  await page.getByLabel('Expires').selectOption({ label: options.expires });
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.getByRole('heading', { name: `Key "${name}" created` }).waitFor();
  return readShownKey(page);
}

async function readShownKey(page: Page): Promise<{ secret: string; keyId: string }> {
  const secret = ((await page.getByTestId('new-secret').textContent()) ?? '').trim();
  expect(secret).toMatch(/^sk_[0-9A-Za-z]{36}$/);
  const keyId = /Key ID: (key_[0-9A-Za-z]+)/.exec((await page.locator('#new-key').textContent()) ?? '')?.[1];
  expect(keyId).toBeDefined();
  return { secret, keyId: keyId! };
}

describe.each(BACKENDS)('the API Keys console in Chromium on $name', (backend) => {
  const clock = new FakeClock();
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    if (browser) server = await startTestServer(backend, { clock });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.dispose();
  });

  /** A fresh browser profile (no cookies) allowed to use the clipboard on the server's origin. */
  async function openPage(s: TestServer, b: Browser): Promise<{ page: Page; problems: PageProblems }> {
    const context = await b.newContext();
    contexts.push(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
    const page = await context.newPage();
    return { page, problems: watchPage(page) };
  }

  const noProblems: PageProblems = { pageErrors: [], consoleErrors: [], cspViolations: [] };

  it('signs up, creates a key shown once, calls the API with it, lists it without its secret, revokes it', async (ctx) => {
    if (!server || !browser) return ctx.skip();
    const { page, problems } = await openPage(server, browser);
    await signUp(page, server, 'first-user@example.com');

    const { secret, keyId } = await createKey(page, 'ci deploy', { write: true, expires: '30 days' });
    const created = page.locator('#new-key');
    expect(await created.getByRole('alert').textContent()).toContain('only once');
    expect(await created.textContent()).toContain('scopes: read write');
    expect((await page.content()).split(secret)).toHaveLength(2); // exactly once in the page

    // Copy puts the secret on the clipboard (console.js ran under the CSP) and says so.
    await created.getByRole('button', { name: 'Copy' }).click();
    await created.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    // One screenshot of the page with a freshly created key, for a human to look at.
    writeFileSync(join(tmpdir(), `gatehouse-console-api-keys-${backend.name}.png`), await page.screenshot({ fullPage: true }));

    const ok = await listAgents(server, secret);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: [] });

    // Back on the page later: the secret is gone for good, only its start remains.
    const response = await page.goto(`${server.url}${SETTINGS}`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    const html = await response!.text();
    expect(html).not.toContain(secret);
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByTestId('new-secret').count()).toBe(0);
    const row = await keyRow(page, keyId);
    expect(row).toMatchObject({
      Name: 'ci deploy',
      'Key ID': keyId,
      Scopes: 'read write',
      Created: shown(clock.now()),
      Expires: shown(clock.now() + 30 * DAY),
      Status: 'active',
    });
    const start = row.Key!.replace(/…$/, '');
    expect(start.length).toBeGreaterThanOrEqual(4);
    expect(start.length).toBeLessThanOrEqual(12);
    expect(secret.startsWith(start)).toBe(true);
    expect(html).toContain(start);

    // Revoke asks first; dismissing keeps the key, accepting revokes it.
    const revoke = page.getByRole('row').filter({ hasText: keyId }).getByRole('button', { name: 'Revoke' });
    const dismissed = page.waitForEvent('dialog');
    const click = revoke.click();
    const first = await dismissed;
    expect(first.type()).toBe('confirm');
    expect(first.message()).toContain('ci deploy');
    await first.dismiss();
    await click;
    await page.goto(`${server.url}${SETTINGS}`);
    expect((await keyRow(page, keyId)).Status).toBe('active');
    expect((await listAgents(server, secret)).status).toBe(200);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('row').filter({ hasText: keyId }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('row').filter({ hasText: keyId }).getByRole('cell', { name: 'revoked', exact: true }).waitFor();
    expect(page.url()).toBe(`${server.url}${SETTINGS}`);
    expect((await keyRow(page, keyId)).Status).toBe('revoked');
    expect(await page.getByRole('row').filter({ hasText: keyId }).getByRole('button').count()).toBe(0);

    const refused = await listAgents(server, secret);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ status_code: 401 });
    expect(problems).toEqual(noProblems);
  });

  it('rolls a key with a 1 hour grace: old and new secrets both work, the old one until the grace ends', async (ctx) => {
    if (!server || !browser) return ctx.skip();
    const { page, problems } = await openPage(server, browser);
    await signUp(page, server, 'roller@example.com');
    const old = await createKey(page, 'worker', { write: false, expires: 'Never' });

    const row = page.getByRole('row').filter({ hasText: old.keyId });
    await row.getByLabel('Grace period for worker').selectOption({ label: '1 hour' });
    await row.getByRole('button', { name: 'Roll' }).click();
    await page.getByRole('heading', { name: 'Key "worker" rolled' }).waitFor();
    const rolled = await readShownKey(page);
    expect(rolled.keyId).toBe(old.keyId);
    expect(rolled.secret).not.toBe(old.secret);
    expect(await page.locator('#new-key').textContent()).toContain('keeps working for 1 hour');
    expect((await keyRow(page, old.keyId)).Status).toBe('active');

    expect((await listAgents(server, old.secret)).status).toBe(200);
    expect((await listAgents(server, rolled.secret)).status).toBe(200);
    clock.advance(HOUR);
    expect((await listAgents(server, old.secret)).status).toBe(401);
    expect((await listAgents(server, rolled.secret)).status).toBe(200);
    expect(problems).toEqual(noProblems);
  });

  it('signs out; the settings page then asks to sign in and returns there afterwards', async (ctx) => {
    if (!server || !browser) return ctx.skip();
    const { page, problems } = await openPage(server, browser);
    await signUp(page, server, 'leaver@example.com');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${server.url}/console/login`);

    await page.goto(`${server.url}${SETTINGS}`);
    await page.waitForURL(`${server.url}/console/login?next=${encodeURIComponent(SETTINGS)}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

    await page.getByLabel('Email').fill('leaver@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}${SETTINGS}`);
    await page.getByRole('heading', { name: 'Settings → API Keys' }).waitFor();
    expect(problems).toEqual(noProblems);
  });

  it('renders its pages in standards mode (<!DOCTYPE html>), not quirks mode', async (ctx) => {
    if (!server || !browser) return ctx.skip();
    const { page } = await openPage(server, browser);
    for (const path of ['/console/login', '/console/signup', '/console/no-such-page']) {
      await page.goto(`${server.url}${path}`);
      expect({ path, mode: await page.evaluate(() => document.compatMode) }).toEqual({ path, mode: 'CSS1Compat' });
    }
    await signUp(page, server, 'standards@example.com');
    expect(await page.evaluate(() => document.compatMode)).toBe('CSS1Compat');
  });
});
