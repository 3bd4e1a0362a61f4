/** Console session handling: who is signed in, pages only they may see, and CSRF on every form post. */
import type { Context, MiddlewareHandler } from 'hono';
import { resolveSession } from '../../core/accounts.js';
import type { Actor } from '../../core/context.js';
import { forbidden, invalidRequest } from '../../core/errors.js';
import type { UserRecord } from '../../core/model/user.js';
import { csrfValid, readSession } from '../cookies.js';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';
import { clientIp } from '../ip.js';

/** Sets `sessionUser` (or null) for every console request. */
export function loadSession(rt: Runtime): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = readSession(c, rt.config.secure);
    c.set('sessionUser', (token && (await resolveSession(rt, token))) || null);
    await next();
    c.header('Cache-Control', 'no-store');
  };
}

/** A console page (or form post) for the signed-in `user`. */
export type UserHandler = (c: Context<AppEnv>, user: UserRecord) => Response | Promise<Response>;

/**
 * Runs `handler` for a signed-in user; anyone else is sent to sign in and brought back here
 * afterwards (302 for a GET; 303 after a POST, so the browser follows with a GET).
 */
export function withUser(handler: UserHandler): (c: Context<AppEnv>) => Promise<Response> {
  return async (c) => {
    const user = c.get('sessionUser');
    if (!user) return c.redirect(`/console/login?next=${encodeURIComponent(c.req.path)}`, c.req.method === 'GET' ? 302 : 303);
    return handler(c, user);
  };
}

/**
 * The signed-in user as the actor of a console action, for authorization and the audit log.
 * Typed with its user present: some actions (revoking an authorization) need one.
 */
export const userActor = (rt: Runtime, c: Context<AppEnv>, user: UserRecord): Actor & { user: UserRecord } => ({
  type: 'user',
  id: user.id,
  user,
  ip: clientIp(c, rt.config.trustProxy),
});

/** Parses a form post and checks its CSRF field against the cookie (403 when absent or wrong). */
export async function formWithCsrf(rt: Runtime, c: Context<AppEnv>): Promise<Record<string, string | string[]>> {
  let body: Awaited<ReturnType<typeof c.req.parseBody>>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    throw invalidRequest('The form could not be read');
  }
  const fields: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') fields[k] = v;
    else if (Array.isArray(v)) fields[k] = v.filter((x): x is string => typeof x === 'string');
  }
  if (!csrfValid(c, rt.config.secure, fields.csrf)) {
    throw forbidden('This form has expired or was not sent from this site. Reload the page and try again.');
  }
  return fields;
}

export const field = (fields: Record<string, string | string[]>, name: string): string => {
  const v = fields[name];
  return typeof v === 'string' ? v : (v?.[0] ?? '');
};

export const fieldList = (fields: Record<string, string | string[]>, name: string): string[] => {
  const v = fields[name];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
};

/** A path inside this site to return to after sign-in; anything else becomes the console home. */
export function safeNext(next: string | undefined): string {
  // Browsers drop tabs and newlines from URLs and read '\\' as '/', so '/\t/evil.example' is '//evil.example'.
  if (!next?.startsWith('/') || next.startsWith('//') || [...next].some((ch) => ch === '\\' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
    return '/console';
  }
  return next;
}
