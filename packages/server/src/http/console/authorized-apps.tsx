/**
 * Settings → Authorized apps: the applications the user has let act for them (their live OAuth
 * grants, one row per app), with Revoke, which ends every grant and token of that app for the
 * user and forgets the remembered consent, so the next authorization asks again.
 */
import { Hono } from 'hono';
import { revokeAuthorization } from '../../core/oauth/clients.js';
import type { GrantView } from '../../core/model/grant.js';
import { csrfToken } from '../cookies.js';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';
import { formatDate } from './components.js';
import { Layout } from './layout.js';
import { formWithCsrf, userActor, withUser } from './session.js';

const BASE = '/console/settings/authorized-apps';

/** One app's grants for one user, merged: every scope granted, the first grant, the last use. */
export interface AuthorizedApp {
  clientId: string;
  clientName: string;
  scopes: string[];
  since: number;
  lastUsedAt: number | null;
  grantIds: string[];
}

export function groupByApp(grants: readonly GrantView[]): AuthorizedApp[] {
  const apps = new Map<string, AuthorizedApp>();
  for (const g of grants) {
    const a = apps.get(g.clientId);
    if (!a) {
      apps.set(g.clientId, { clientId: g.clientId, clientName: g.clientName, scopes: [...g.scopes], since: g.createdAt, lastUsedAt: g.lastUsedAt, grantIds: [g.id] });
      continue;
    }
    for (const s of g.scopes) if (!a.scopes.includes(s)) a.scopes.push(s);
    a.since = Math.min(a.since, g.createdAt);
    if (g.lastUsedAt !== null && (a.lastUsedAt === null || g.lastUsedAt > a.lastUsedAt)) a.lastUsedAt = g.lastUsedAt;
    a.grantIds.push(g.id);
  }
  return [...apps.values()];
}

export function authorizedAppPageRoutes(rt: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(
    BASE,
    withUser(async (c, user) => {
      const csrf = csrfToken(c, rt.config.secure);
      const apps = groupByApp(await rt.store.oauth.grants.listForUser(user.id));
      return c.html(
        <Layout title="Authorized apps" user={user} csrf={csrf}>
          <h1>Settings → Authorized apps</h1>
          <p>Applications you have allowed to use your account. Revoking one stops every token it holds at once; it must ask you again.</p>
          {apps.length === 0 ? (
            <p>You have not authorized any applications.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr><th>Application</th><th>Scopes</th><th>Since</th><th>Last used</th><th>Actions</th></tr>
                </thead>
                <tbody>
                  {apps.map((a) => (
                    <tr data-client-id={a.clientId}>
                      <td>{a.clientName}</td>
                      <td>{a.scopes.map((s) => <div title={rt.scopes.get(s) ?? ''}><code>{s}</code> — {rt.scopes.get(s) ?? ''}</div>)}</td>
                      <td class="date">{formatDate(a.since)}</td>
                      <td class="date">{formatDate(a.lastUsedAt)}</td>
                      <td class="actions">
                        <form method="post" action={`${BASE}/${a.clientId}/revoke`} data-confirm={`Revoke access for "${a.clientName}"? It stops working at once.`}>
                          <input type="hidden" name="csrf" value={csrf} />
                          <button type="submit" class="danger">Revoke</button>
                        </form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Layout>,
      );
    }),
  );

  app.post(
    `${BASE}/:clientId/revoke`,
    withUser(async (c, user) => {
      await formWithCsrf(rt, c);
      await revokeAuthorization(rt, userActor(rt, c, user), c.req.param('clientId') ?? '');
      return c.redirect(BASE, 303);
    }),
  );

  return app;
}
