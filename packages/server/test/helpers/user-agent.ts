/**
 * The one cookie-keeping HTTP client of the tests and the benchmark harness: what a browser
 * without JavaScript does (cookies kept, redirects not followed), on Node's fetch. No test
 * framework import here, so bench/ can run it outside vitest.
 */

/** Remembers cookies from `Set-Cookie` and sends them back (no domain/path logic: one server). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A cookie-keeping client that never follows redirects. */
export class Browser {
  readonly cookies = new CookieJar();
  constructor(private readonly base: string) {}

  /** `path` is resolved against the base URL (a `Location` may be absolute). */
  async request(path: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.header()) headers.set('cookie', this.cookies.header());
    const res = await fetch(new URL(path, this.base), { ...init, headers, redirect: 'manual' });
    this.cookies.store(res);
    return res;
  }

  /** A form post; a field given as a list is sent once per item. */
  post(path: string, fields: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const item of [v].flat()) body.append(k, item);
    return this.request(path, { method: 'POST', body });
  }

  /** A console form post with the CSRF cookie's value (a visit to the sign-in page sets it first). */
  async form(path: string, fields: Record<string, string | string[]>): Promise<Response> {
    if (!this.cookies.has('gh_csrf')) await this.request('/console/login');
    return this.post(path, { csrf: this.cookies.get('gh_csrf')!, ...fields });
  }
}
