/**
 * Developer Console → Applications: register OAuth applications, show the `cs_…` secret once,
 * edit redirect URIs, scopes and options, rotate the secret, delete.
 */
import { type Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { invalidRequest } from '../../core/errors.js';
import { type ClientSettings, DEFAULT_REFRESH_GRACE_SECONDS, MAX_REFRESH_GRACE_SECONDS, createClient, deleteClient, getManagedClient, rotateClientSecret, updateClient } from '../../core/oauth/clients.js';
import type { ClientRecord, ClientType } from '../../core/model/client.js';
import type { UserRecord } from '../../core/model/user.js';
import { csrfToken } from '../cookies.js';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';
import { CopyButton, FormError, OneTimeSecret, formRefusal, formatDate } from './components.js';
import { Layout } from './layout.js';
import { field, fieldList, formWithCsrf, userActor, withUser } from './session.js';

const BASE = '/console/applications';
/** Only bad settings come back in the form; a missing or foreign app goes to the error page. */
const INVALID_SETTINGS = { codes: ['invalid_request'] } as const;

/** What the form holds, as typed (so a refused form comes back filled in). */
interface FormValues {
  name: string;
  redirectUris: string;
  scopes: string[];
  type: string;
  jwtAccessTokens: boolean;
  refreshGraceSeconds: string;
}

const EMPTY: FormValues = { name: '', redirectUris: '', scopes: ['read'], type: 'confidential', jwtAccessTokens: false, refreshGraceSeconds: String(DEFAULT_REFRESH_GRACE_SECONDS) };

const valuesOf = (c: ClientRecord): FormValues => ({
  name: c.name,
  redirectUris: c.redirectUris.join('\n'),
  scopes: c.scopes,
  type: c.type,
  jwtAccessTokens: c.jwtAccessTokens,
  refreshGraceSeconds: String(c.refreshGraceSeconds),
});

const readForm = (form: Record<string, string | string[]>): FormValues => ({
  name: field(form, 'name'),
  redirectUris: field(form, 'redirect_uris'),
  scopes: fieldList(form, 'scopes'),
  type: field(form, 'type'),
  jwtAccessTokens: fieldList(form, 'jwt_access_tokens').length > 0,
  refreshGraceSeconds: field(form, 'refresh_grace_seconds'),
});

/** One redirect URI per line; the rt validates each (exact, https or loopback, no fragment). */
function settingsOf(v: FormValues): ClientSettings {
  const grace = v.refreshGraceSeconds.trim();
  return {
    name: v.name,
    redirectUris: v.redirectUris.split(/\r?\n/).map((u) => u.trim()).filter(Boolean),
    scopes: v.scopes,
    jwtAccessTokens: v.jwtAccessTokens,
    refreshGraceSeconds: grace === '' ? DEFAULT_REFRESH_GRACE_SECONDS : Number(grace),
  };
}

function AppTable({ clients }: { clients: ClientRecord[] }) {
  if (clients.length === 0) return <p>No applications yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr><th>Name</th><th>Client ID</th><th>Type</th><th>Redirect URIs</th><th>Scopes</th><th>Created</th></tr>
        </thead>
        <tbody>
          {clients.map((a) => (
            <tr data-client-id={a.id}>
              <td><a href={`${BASE}/${a.id}`}>{a.name}</a></td>
              <td><code>{a.id}</code></td>
              <td>{a.type}</td>
              <td>{a.redirectUris.map((u) => <div><code>{u}</code></div>)}</td>
              <td>{a.scopes.join(' ')}</td>
              <td class="date">{formatDate(a.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface FormProps {
  rt: Runtime;
  csrf: string;
  action: string;
  values: FormValues;
  /** Only a new application chooses its type. */
  chooseType: boolean;
  submit: string;
  error?: string | undefined;
}

function AppForm({ rt, csrf, action, values, chooseType, submit, error }: FormProps) {
  return (
    <form class="card" method="post" action={action} id="app-form">
      <FormError message={error} />
      <input type="hidden" name="csrf" value={csrf} />
      <label for="name">Name</label>
      <input id="name" type="text" name="name" maxlength={100} required value={values.name} placeholder="e.g. Acme Dashboard" />
      <label for="redirect_uris">Redirect URIs (one per line)</label>
      <textarea id="redirect_uris" name="redirect_uris" rows={4} cols={70} required placeholder="https://app.example.com/callback">{values.redirectUris}</textarea>
      <p>Matched exactly. Use https, http only on a loopback address (any port), or a private-use scheme such as <code>com.example.app:/callback</code>.</p>
      <fieldset>
        <legend><strong>Scopes the application may ask for</strong></legend>
        {[...rt.scopes].map(([scope, description]) => (
          <label title={description}>
            <input type="checkbox" name="scopes" value={scope} checked={values.scopes.includes(scope)} /> <code>{scope}</code> — {description}
          </label>
        ))}
      </fieldset>
      {chooseType ? (
        <fieldset>
          <legend><strong>Type</strong></legend>
          <label><input type="radio" name="type" value="confidential" checked={values.type !== 'public'} /> Confidential — runs on a server and keeps a client secret</label>
          <label><input type="radio" name="type" value="public" checked={values.type === 'public'} /> Public — a browser or native app; no secret, PKCE required</label>
        </fieldset>
      ) : null}
      <fieldset>
        <legend><strong>Options</strong></legend>
        <label><input type="checkbox" name="jwt_access_tokens" value="on" checked={values.jwtAccessTokens} /> Issue JWT access tokens (RFC 9068) instead of opaque <code>at_…</code> tokens</label>
      </fieldset>
      <label for="refresh_grace_seconds">Refresh token reuse window (seconds, 0–{MAX_REFRESH_GRACE_SECONDS}; default {DEFAULT_REFRESH_GRACE_SECONDS})</label>
      <input id="refresh_grace_seconds" type="number" name="refresh_grace_seconds" min={0} max={MAX_REFRESH_GRACE_SECONDS} step={1} value={values.refreshGraceSeconds} />
      <p>How long a replay of a just-rotated refresh token returns the same new refresh token instead of revoking the grant, so that a refresh whose response was lost does not sign the user out. 0 is strict rotation: every replay revokes the grant.</p>
      <p><button type="submit">{submit}</button></p>
    </form>
  );
}

/** A created app or a rotated secret: client_id, and the secret this once (public apps have none). */
function NewCredentials({ title, client, secret }: { title: string; client: ClientRecord; secret: string | null }) {
  return (
    <section class="card" id="new-secret">
      <h2>{title}</h2>
      <p>client_id: <code id="client-id" data-testid="client-id">{client.id}</code> <CopyButton target="client-id" /></p>
      {secret ? (
        <OneTimeSecret secret={secret} noun="the client secret" />
      ) : (
        <p>This is a public application: it has no secret and must use PKCE (S256).</p>
      )}
    </section>
  );
}

function Details({ client }: { client: ClientRecord }) {
  return (
    <p>
      client_id <code>{client.id}</code> · {client.type}
      {client.secretStart ? <> · secret <code>{client.secretStart}…</code></> : null} · created {formatDate(client.createdAt)} · updated {formatDate(client.updatedAt)}
    </p>
  );
}

export function applicationPageRoutes(rt: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const secure = rt.config.secure;

  const listPage = async (c: Context<AppEnv>, user: UserRecord) => {
    const csrf = csrfToken(c, secure);
    const clients = await rt.store.oauth.clients.list(user.id);
    return c.html(
      <Layout title="Applications" user={user} csrf={csrf}>
        <h1>Developer Console → Applications</h1>
        <p>Applications send users to <code>/oauth/authorize</code> and exchange the code at <code>/oauth/token</code>.</p>
        <p><a href={`${BASE}/new`}>Create new application</a></p>
        <AppTable clients={clients} />
      </Layout>,
    );
  };

  const newPage = (c: Context<AppEnv>, user: UserRecord, values: FormValues, error?: string, status: ContentfulStatusCode = 200) => {
    const csrf = csrfToken(c, secure);
    return c.html(
      <Layout title="New application" user={user} csrf={csrf}>
        <h1>Create new application</h1>
        <p><a href={BASE}>← All applications</a></p>
        <AppForm rt={rt} csrf={csrf} action={BASE} values={values} chooseType submit="Create application" error={error} />
      </Layout>,
      status,
    );
  };

  const detailPage = (c: Context<AppEnv>, user: UserRecord, client: ClientRecord, extra: { shown?: Child; values?: FormValues; error?: string; status?: ContentfulStatusCode; saved?: boolean }) => {
    const csrf = csrfToken(c, secure);
    return c.html(
      <Layout title={client.name} user={user} csrf={csrf}>
        <h1>Application “{client.name}”</h1>
        <p><a href={BASE}>← All applications</a></p>
        {extra.shown ?? null}
        {extra.saved ? <p class="ok" role="status">Saved.</p> : null}
        <Details client={client} />
        <AppForm rt={rt} csrf={csrf} action={`${BASE}/${client.id}`} values={extra.values ?? valuesOf(client)} chooseType={false} submit="Save changes" error={extra.error} />
        <section class="card actions">
          {client.type === 'confidential' ? (
            <form method="post" action={`${BASE}/${client.id}/rotate-secret`} data-confirm={`Rotate the secret of "${client.name}"? The current secret stops working at once.`}>
              <input type="hidden" name="csrf" value={csrf} />
              <button type="submit" class="secondary">Rotate secret</button>
            </form>
          ) : null}
          <form method="post" action={`${BASE}/${client.id}/delete`} data-confirm={`Delete "${client.name}"? Every token it holds is revoked at once.`}>
            <input type="hidden" name="csrf" value={csrf} />
            <button type="submit" class="danger">Delete</button>
          </form>
        </section>
      </Layout>,
      extra.status ?? 200,
    );
  };

  const id = (c: Context<AppEnv>) => c.req.param('id') ?? '';

  app.get(BASE, withUser(listPage));

  app.post(
    BASE,
    withUser(async (c, user) => {
      const values = readForm(await formWithCsrf(rt, c));
      try {
        if (values.type !== 'confidential' && values.type !== 'public') throw invalidRequest('Choose confidential or public');
        const { client, secret } = await createClient(rt, userActor(rt, c, user), user.id, values.type as ClientType, settingsOf(values));
        return detailPage(c, user, client, { shown: <NewCredentials title={`Application "${client.name}" created`} client={client} secret={secret} /> });
      } catch (err) {
        const refused = formRefusal(err, INVALID_SETTINGS);
        return newPage(c, user, values, refused.detail, refused.status as ContentfulStatusCode);
      }
    }),
  );

  // The form for a new app answers here too: a static path beside a parameter at the same place
  // would push Hono from its one-regexp router to the slower trie router for every request.
  app.get(
    `${BASE}/:id`,
    withUser(async (c, user) =>
      id(c) === 'new'
        ? newPage(c, user, EMPTY)
        : detailPage(c, user, await getManagedClient(rt, userActor(rt, c, user), id(c)), { saved: c.req.query('saved') !== undefined }),
    ),
  );

  app.post(
    `${BASE}/:id`,
    withUser(async (c, user) => {
      const values = readForm(await formWithCsrf(rt, c));
      const client = await getManagedClient(rt, userActor(rt, c, user), id(c));
      try {
        await updateClient(rt, userActor(rt, c, user), client.id, settingsOf(values));
        return c.redirect(`${BASE}/${client.id}?saved`, 303);
      } catch (err) {
        const refused = formRefusal(err, INVALID_SETTINGS);
        return detailPage(c, user, client, { values: { ...values, type: client.type }, error: refused.detail, status: refused.status as ContentfulStatusCode });
      }
    }),
  );

  app.post(
    `${BASE}/:id/rotate-secret`,
    withUser(async (c, user) => {
      await formWithCsrf(rt, c);
      const { client, secret } = await rotateClientSecret(rt, userActor(rt, c, user), id(c));
      return detailPage(c, user, client, { shown: <NewCredentials title="Secret rotated — the previous secret has stopped working" client={client} secret={secret} /> });
    }),
  );

  app.post(
    `${BASE}/:id/delete`,
    withUser(async (c, user) => {
      await formWithCsrf(rt, c);
      await deleteClient(rt, userActor(rt, c, user), id(c));
      return c.redirect(BASE, 303);
    }),
  );

  return app;
}
