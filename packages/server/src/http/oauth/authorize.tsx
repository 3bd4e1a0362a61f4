/**
 * GET/POST /oauth/authorize: sign-in round trip, the consent screen, and the 303 back to the
 * app with `code`, `state` and `iss`. Errors about the client or redirect URI are shown here and
 * never redirected. No CORS headers are ever sent from this endpoint.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { resolveSession } from '../../core/accounts.js';
import { approve, checkAuthorizeRequest, consentRemembered, errorRedirect, type AuthorizeRequest } from '../../core/oauth/authorize.js';
import { oauthError } from '../../core/errors.js';
import { cspSourceFor } from '../../core/oauth/redirect-uri.js';
import type { UserRecord } from '../../core/model/user.js';
import { csrfToken, readSession } from '../cookies.js';
import { ErrorPage, Layout } from '../console/layout.js';
import { formWithCsrf } from '../console/session.js';
import type { AppEnv, Services } from '../env.js';

const FORWARDED = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'];

function ConsentPage({ services, user, req, params, csrf }: { services: Services; user: UserRecord; req: AuthorizeRequest; params: URLSearchParams; csrf: string }) {
  const host = new URL(req.redirectUri).host || req.redirectUri;
  return (
    <Layout title={`Authorize ${req.client.name}`} user={user} csrf={csrf}>
      <section class="card consent">
        <h1>
          <span data-testid="client-name">{req.client.name}</span> wants to access your account
        </h1>
        <p>
          Signed in as <strong>{user.email}</strong>. The application will be able to:
        </p>
        <ul class="scopes">
          {req.scopes.map((s) => (
            <li>
              <code>{s}</code> — {services.core.scopes.get(s)}
            </li>
          ))}
        </ul>
        <p>
          You will be sent back to <code>{host}</code>. You can revoke access any time under Settings → Authorized apps.
        </p>
        <form method="post" action="/oauth/authorize">
          <input type="hidden" name="csrf" value={csrf} />
          {FORWARDED.filter((k) => params.has(k)).map((k) => (
            <input type="hidden" name={k} value={params.get(k) ?? ''} />
          ))}
          <button type="submit" name="decision" value="allow">
            Allow
          </button>{' '}
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function authorizePages(app: Hono<AppEnv>, services: Services) {
  const { config, core } = services;

  const currentUser = async (c: Context<AppEnv>) => {
    const token = readSession(c, config.secure);
    return token ? await resolveSession(core, token) : undefined;
  };

  const handle = async (c: Context<AppEnv>, params: URLSearchParams, decision: string | undefined) => {
    c.header('Cache-Control', 'no-store');
    const check = await checkAuthorizeRequest(core, params);
    if (check.kind === 'show') {
      return c.html(ErrorPage({ status: check.error.status, message: `This authorization request is invalid: ${check.error.detail}` }), check.error.status as ContentfulStatusCode);
    }
    c.set('formTargets', [cspSourceFor(check.kind === 'ok' ? check.request.redirectUri : check.redirectUri)]);
    if (check.kind === 'redirect') return c.redirect(errorRedirect(check.redirectUri, check.state, check.error, config.issuer), 303);
    const req = check.request;
    const user = await currentUser(c);
    if (!user) {
      const next = `/oauth/authorize?${new URLSearchParams(FORWARDED.flatMap((k) => (params.has(k) ? [[k, params.get(k)!]] : []))).toString()}`;
      return c.redirect(`/console/login?next=${encodeURIComponent(next)}`, 303);
    }
    if (decision === 'deny') {
      return c.redirect(errorRedirect(req.redirectUri, req.state, oauthError('access_denied', 'The user denied the request'), config.issuer), 303);
    }
    if (decision === 'allow' || (await consentRemembered(core, user, req))) {
      return c.redirect(await approve(core, user, req, config.issuer), 303);
    }
    return c.html(<ConsentPage services={services} user={user} req={req} params={params} csrf={csrfToken(c, config.secure)} />);
  };

  app.get('/oauth/authorize', (c) => handle(c, new URL(c.req.url).searchParams, undefined));

  app.post('/oauth/authorize', async (c) => {
    const form = await formWithCsrf(services, c);
    const params = new URLSearchParams();
    for (const k of FORWARDED) {
      const v = form[k];
      if (typeof v === 'string') params.set(k, v);
      else if (Array.isArray(v)) for (const x of v) params.append(k, x);
    }
    const decision = form.decision;
    return handle(c, params, typeof decision === 'string' ? decision : 'deny');
  });
}
