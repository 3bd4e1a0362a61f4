/**
 * Small HTTP helpers for tests that talk to a real server with Node's fetch: a console sign-in
 * through the real login form, one request with its body read, and checks for the /v1 error
 * shape. The cookie jar and the cookie-keeping client live in user-agent.ts.
 */
import { expect } from 'vitest';
import { CookieJar } from './user-agent.js';

// Re-exported: suites import them from here alongside csrfField and consoleLogin.
export { Browser, CookieJar } from './user-agent.js';

/** The value of the hidden `csrf` field of a console page. */
export function csrfField(html: string): string {
  const m = /name="csrf" value="([0-9A-Za-z]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no csrf field in the page');
  return m[1];
}

export interface ConsoleSession {
  jar: CookieJar;
  /** The CSRF value: the `gh_csrf` cookie, echoed in forms and in `X-CSRF-Token`. */
  csrf: string;
}

/** Signs in through GET + POST /console/login, as a browser would; asserts the 303 and the session cookie. */
export async function consoleLogin(baseUrl: string, email: string, password: string): Promise<ConsoleSession> {
  const jar = new CookieJar();
  const page = await fetch(`${baseUrl}/console/login`);
  jar.store(page);
  const csrf = csrfField(await page.text());
  expect(jar.get('gh_csrf')).toBe(csrf);
  const res = await fetch(`${baseUrl}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, email, password }),
  });
  expect(res.status).toBe(303);
  jar.store(res);
  expect(jar.get('gh_session')).toMatch(/^[0-9A-Za-z]{43}$/);
  // Sign-in rotates the CSRF value; forms from now on carry the new one.
  const rotated = jar.get('gh_csrf');
  expect(rotated).toMatch(/^[0-9A-Za-z]{32}$/);
  expect(rotated).not.toBe(csrf);
  return { jar, csrf: rotated! };
}

export interface CallOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Serialized as the JSON body, with `Content-Type: application/json`. */
  json?: unknown;
  /** A console session: its cookies are sent. */
  session?: ConsoleSession;
  headers?: Record<string, string>;
  /** A raw body (used when `json` is absent); a stream is sent chunked, without Content-Length. */
  body?: string | URLSearchParams | FormData | Uint8Array | ReadableStream<Uint8Array>;
}

export interface CallResult {
  res: Response;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
}

/** One request to the server; reads the whole body. */
export async function call(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.session) headers.Cookie = opts.session.jar.header();
  Object.assign(headers, opts.headers);
  const body = opts.json !== undefined ? JSON.stringify(opts.json) : opts.body;
  const init: RequestInit & { duplex?: 'half' } = { method, headers, redirect: 'manual' };
  // A copy: fetch's types want a view on a plain ArrayBuffer.
  if (body !== undefined) init.body = body instanceof Uint8Array ? new Uint8Array(body) : body;
  if (body instanceof ReadableStream) init.duplex = 'half';
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    parsed = undefined;
  }
  return { res, text, body: parsed };
}

export interface ApiErrorBody {
  detail: string;
  status_code: number;
  extra: Record<string, unknown>;
}

/** Asserts the /v1 error contract `{"detail","status_code","extra"}` for `status`, and returns the body. */
export function expectApiError(result: CallResult, status: number): ApiErrorBody {
  expect(result.res.status, result.text).toBe(status);
  expect(result.res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = result.body as ApiErrorBody;
  expect(body).toEqual({ detail: expect.any(String), status_code: status, extra: expect.any(Object) });
  expect(body.detail.length).toBeGreaterThan(0);
  expect(Array.isArray(body.extra)).toBe(false);
  return body;
}

/** Shorthand for a JSON object body. */
export function obj(result: CallResult): Record<string, unknown> {
  expect(result.body, result.text).toBeTypeOf('object');
  return result.body as Record<string, unknown>;
}
