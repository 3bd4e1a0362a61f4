/** Settings → API Keys: list, Create New Key (shown once), Roll with a grace period, Revoke. */
import { type Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { GatehouseError } from '../../core/errors.js';
import { GRACE_CHOICES_MS, createKey, keyStatus, listKeys, revokeKey, rollKey } from '../../core/keys.js';
import type { ApiKeyRecord } from '../../core/model/api-key.js';
import type { UserRecord } from '../../core/model/user.js';
import { csrfToken } from '../cookies.js';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';
import { FormError, OneTimeSecret, formRefusal, formatDate } from './components.js';
import { Layout } from './layout.js';
import { field, fieldList, formWithCsrf, userActor, withUser } from './session.js';

const DAY = 86_400_000;
const EXPIRY_CHOICES: ReadonlyArray<[string, string, number | null]> = [
  ['never', 'Never', null],
  ['7d', '7 days', 7 * DAY],
  ['30d', '30 days', 30 * DAY],
  ['90d', '90 days', 90 * DAY],
  ['365d', '1 year', 365 * DAY],
];
const GRACE_LABELS: Record<number, string> = { 0: 'No grace', 3600000: '1 hour', 86400000: '24 hours', 604800000: '7 days' };

function KeyTable({ keys, now, csrf }: { keys: ApiKeyRecord[]; now: number; csrf: string }) {
  if (keys.length === 0) return <p>No API keys yet.</p>;
  return (
    <div class="table-wrap">
    <table>
      <thead>
        <tr>
          <th>Name</th><th>Key ID</th><th>Key</th><th>Scopes</th><th>Created</th><th>Last used</th><th>Expires</th><th>Status</th><th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const status = keyStatus(k, now);
          return (
            <tr data-key-id={k.id}>
              <td>{k.name}</td>
              <td><code>{k.id}</code></td>
              <td><code>{k.start}…</code></td>
              <td>{k.scopes.join(' ')}</td>
              <td class="date">{formatDate(k.createdAt)}</td>
              <td class="date">{formatDate(k.lastUsedAt)}</td>
              <td class="date">{formatDate(k.expiresAt)}</td>
              <td class={`status-${status}`}>{status}</td>
              <td class="actions">
                {status === 'active' ? (
                  <>
                    <form method="post" action={`/console/settings/api-keys/${k.id}/roll`}>
                      <input type="hidden" name="csrf" value={csrf} />
                      <select name="grace" aria-label={`Grace period for ${k.name}`}>
                        {GRACE_CHOICES_MS.map((ms) => <option value={String(ms)}>{GRACE_LABELS[ms]}</option>)}
                      </select>{' '}
                      <button type="submit" class="secondary">Roll</button>
                    </form>
                    <form method="post" action={`/console/settings/api-keys/${k.id}/revoke`} data-confirm={`Revoke "${k.name}"? Calls using it will fail at once.`}>
                      <input type="hidden" name="csrf" value={csrf} />
                      <button type="submit" class="danger">Revoke</button>
                    </form>
                  </>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
    </div>
  );
}

function CreateForm({ rt, csrf, error }: { rt: Runtime; csrf: string; error?: string | undefined }) {
  return (
    <form class="card" method="post" action="/console/settings/api-keys" id="create-key">
      <h2>Create New Key</h2>
      <FormError message={error} />
      <input type="hidden" name="csrf" value={csrf} />
      <label for="name">Name</label>
      <input id="name" type="text" name="name" maxlength={100} required placeholder="e.g. production server" />
      <fieldset>
        <legend><strong>Scopes</strong></legend>
        {[...rt.scopes].map(([scope, description]) => (
          <label title={description}>
            <input type="checkbox" name="scopes" value={scope} checked={scope === 'read'} /> <code>{scope}</code> — {description}
          </label>
        ))}
      </fieldset>
      <label for="expires">Expires</label>
      <select id="expires" name="expires">
        {EXPIRY_CHOICES.map(([value, label]) => <option value={value}>{label}</option>)}
      </select>
      <p><button type="submit">Create key</button></p>
    </form>
  );
}

/** A created or rolled key: its secret this once, and how to send it. */
function NewKey({ title, keyRecord, secret, note }: { title: string; keyRecord: ApiKeyRecord; secret: string; note?: string }) {
  return (
    <section class="card" id="new-key">
      <h2>{title}</h2>
      <OneTimeSecret secret={secret} noun="this key" />
      <p>Key ID: <code>{keyRecord.id}</code> · scopes: {keyRecord.scopes.join(' ')}</p>
      {note ? <p>{note}</p> : null}
      <p>Use it as <code>Authorization: Bearer {keyRecord.start}…</code></p>
    </section>
  );
}

export function apiKeyPageRoutes(rt: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const secure = rt.config.secure;

  const page = async (c: Context<AppEnv>, user: UserRecord, extra: { shown?: Child; error?: string; status?: ContentfulStatusCode }) => {
    const csrf = csrfToken(c, secure);
    const keys = await listKeys(rt, user.id);
    return c.html(
      <Layout title="API Keys" user={user} csrf={csrf}>
        <h1>Settings → API Keys</h1>
        <p>
          Send a key as <code>Authorization: Bearer sk_…</code>. Keep keys out of code repositories; store them in
          environment variables and roll them regularly.
        </p>
        {extra.shown ?? null}
        <p><a href="#create-key">Create New Key</a></p>
        <KeyTable keys={keys} now={rt.clock.now()} csrf={csrf} />
        <CreateForm rt={rt} csrf={csrf} error={extra.error} />
      </Layout>,
      extra.status ?? 200,
    );
  };

  app.get('/console/settings/api-keys', withUser((c, user) => page(c, user, {})));

  app.post(
    '/console/settings/api-keys',
    withUser(async (c, user) => {
      const form = await formWithCsrf(rt, c);
      const choice = EXPIRY_CHOICES.find(([v]) => v === field(form, 'expires'));
      try {
        if (!choice) throw new GatehouseError('invalid_request', 'Choose an expiry from the list');
        const ttl = choice[2];
        const { key, secret } = await createKey(rt, userActor(rt, c, user), {
          ownerId: user.id,
          name: field(form, 'name'),
          scopes: fieldList(form, 'scopes'),
          expiresAt: ttl === null ? null : rt.clock.now() + ttl,
        });
        return page(c, user, { shown: <NewKey title={`Key "${key.name}" created`} keyRecord={key} secret={secret} /> });
      } catch (err) {
        const refused = formRefusal(err);
        return page(c, user, { error: refused.detail, status: refused.status as ContentfulStatusCode });
      }
    }),
  );

  app.post(
    '/console/settings/api-keys/:id/revoke',
    withUser(async (c, user) => {
      await formWithCsrf(rt, c);
      await revokeKey(rt, userActor(rt, c, user), c.req.param('id') ?? '');
      return c.redirect('/console/settings/api-keys', 303);
    }),
  );

  app.post(
    '/console/settings/api-keys/:id/roll',
    withUser(async (c, user) => {
      const form = await formWithCsrf(rt, c);
      const grace = Number(field(form, 'grace'));
      if (!(GRACE_CHOICES_MS as readonly number[]).includes(grace)) throw new GatehouseError('invalid_request', 'Choose a grace period from the list');
      const { key, secret } = await rollKey(rt, userActor(rt, c, user), c.req.param('id') ?? '', grace);
      const note = grace === 0 ? 'The previous secret has stopped working.' : `The previous secret keeps working for ${GRACE_LABELS[grace]}.`;
      return page(c, user, { shown: <NewKey title={`Key "${key.name}" rolled`} keyRecord={key} secret={secret} note={note} /> });
    }),
  );

  return app;
}
