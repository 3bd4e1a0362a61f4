/**
 * Shared steps for the client SDK suites: counting the requests a server logged, registering
 * an OAuth app through core, and answering the consent screen over HTTP as a signed-in user
 * (the console session comes from `consoleLogin`), which hands back the redirect the app gets.
 */
import { expect } from 'vitest';
import { createClient } from '../../src/core/oauth/clients.js';
import type { ClientType } from '../../src/core/model/client.js';
import { type ConsoleSession, consoleLogin } from '../helpers/http.js';
import { type TestServer, seedUser, systemActor } from '../helpers/server.js';

export const PASSWORD = 'correct horse battery staple';
export const REDIRECT_URI = 'https://app.example.com/callback';

/** How many `method path` requests the server has logged so far. */
export function requestCount(server: TestServer, method: string, path: string): number {
  let n = 0;
  for (const line of server.logs) {
    const entry = JSON.parse(line) as { msg?: string; method?: string; path?: string };
    if (entry.msg === 'request' && entry.method === method && entry.path === path) n++;
  }
  return n;
}

/** An app owned by a fresh developer account; confidential apps come with their `cs_…` secret. */
export async function registerApp(server: TestServer, type: ClientType, redirectUris: string[] = [REDIRECT_URI], settings: { refreshGraceSeconds?: number } = {}) {
  const dev = await seedUser(server, `dev-${crypto.randomUUID()}@example.com`, PASSWORD);
  return createClient(server.runtime, { ...systemActor, user: dev }, dev.id, type, { name: 'SDK test app', redirectUris, scopes: ['read', 'write'], ...settings });
}

/** A fresh user, signed in to the console over HTTP. */
export async function signedInUser(server: TestServer): Promise<ConsoleSession> {
  const email = `user-${crypto.randomUUID()}@example.com`;
  await seedUser(server, email, PASSWORD);
  return consoleLogin(server.url, email, PASSWORD);
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>' };

/** Opens `authorizationUrl` as the signed-in user, answers the consent form, returns the 303 Location. */
export async function answerConsent(server: TestServer, session: ConsoleSession, authorizationUrl: string, decision: 'allow' | 'deny' = 'allow'): Promise<string> {
  const page = await fetch(authorizationUrl, { redirect: 'manual', headers: { Cookie: session.jar.header() } });
  const html = await page.text();
  expect(page.status, html.slice(0, 300)).toBe(200);
  const form = /<form[^>]*action="\/oauth\/authorize"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  const fields = new URLSearchParams();
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields.append(m[1]!, m[2]!.replace(/&(amp|quot|#39|lt|gt);/g, (e) => ENTITIES[e] ?? e));
  }
  expect(fields.get('csrf')).toBe(session.csrf);
  fields.set('decision', decision);
  const res = await fetch(`${server.url}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: session.jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: fields,
  });
  expect(res.status).toBe(303);
  return res.headers.get('location') ?? '';
}

/** A `fetch` that records what the SDK sent (URL, method, headers, body) before sending it. */
export function recordingFetch(sent: { url: string; method: string; headers: Headers; body: string }[]) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = typeof init?.body === 'string' ? init.body : '';
    sent.push({ url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers), body });
    return fetch(input, init);
  };
}
