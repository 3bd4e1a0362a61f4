/**
 * GET/POST /oauth/authorize: sign-in round trip, the consent screen, and the 303 back to the
 * app with `code`, `state` and `iss`. Errors about the client or redirect URI are shown here and
 * never redirected. No CORS headers are ever sent from this endpoint.
 *
 * The schemas document the request; they do not decide its fate. Whether an invalid request is
 * shown to the user or redirected to the app depends on its client and redirect URI (RFC 6749
 * §4.1.2.1), which only the core check knows, so a request that fails its schema goes to that
 * check like any other — with its raw parameters, repeated ones included (§3.1).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { resolveSession } from '../../core/accounts.js';
import { approve, checkAuthorizeRequest, consentRemembered, errorRedirect, type AuthorizeRequest } from '../../core/oauth/authorize.js';
import { invalidRequest, oauthError } from '../../core/errors.js';
import { cspSourceFor } from '../../core/oauth/redirect-uri.js';
import type { UserRecord } from '../../core/model/user.js';
import { csrfToken, readSession } from '../cookies.js';
import { ErrorPage, Layout } from '../console/layout.js';
import { formWithCsrf } from '../console/session.js';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';
import { requestHeader } from '../request-header.js';
import { formBody, html, oauthRouter } from './router.js';

const AuthorizeQuery = z.object({
  response_type: z.literal('code'),
  client_id: z.string(),
  redirect_uri: z.string().optional().describe('Must exactly match a registered URI (any port for loopback); optional when only one is registered'),
  scope: z.string().optional().describe('Space-separated scopes'),
  state: z.string().optional().describe('Returned unchanged to the app'),
  code_challenge: z.string().optional().describe('PKCE S256 challenge; required for public apps'),
  code_challenge_method: z.literal('S256').optional(),
});

const ConsentForm = AuthorizeQuery.extend({
  csrf: z.string().describe('The hidden CSRF field of the page'),
  decision: z.enum(['allow', 'deny']),
});

/**
 * The consent page posts an urlencoded form (multipart is read as well). Another media type is
 * a bad request, refused here: the route's own media-type check would answer 415 in the words
 * of the JSON APIs.
 */
const formPost: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = requestHeader(c, 'content-type');
  if (type !== undefined && !/^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i.test(type)) {
    throw invalidRequest('Content-Type must be application/x-www-form-urlencoded');
  }
  return next();
};

const showRoute = createRoute({
  method: 'get',
  path: '/oauth/authorize',
  tags: ['OAuth 2.0'],
  summary: 'Start an authorization (RFC 6749 §4.1.1): sign-in, then the consent page',
  request: { query: AuthorizeQuery },
  responses: {
    200: html('The consent page'),
    303: { description: 'To `/console/login?next=…` when signed out; or to the redirect URI with `code`, `state` and `iss` (or `error`) when consent was given before' },
    400: html('The client or redirect URI is invalid: shown here, never redirected'),
  },
});

const submitRoute = createRoute({
  method: 'post',
  path: '/oauth/authorize',
  tags: ['OAuth 2.0'],
  summary: 'Submit the consent form',
  middleware: [formPost] as const,
  request: { body: formBody(ConsentForm) },
  responses: {
    303: { description: 'To the redirect URI with `code`, `state` and `iss`, or with `error=access_denied`' },
    400: html('The request is invalid'),
    403: html('Missing or invalid CSRF token'),
  },
});

const FORWARDED = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'];

function ConsentPage({ rt, user, req, params, csrf }: { rt: Runtime; user: UserRecord; req: AuthorizeRequest; params: URLSearchParams; csrf: string }) {
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
              <code>{s}</code> — {rt.scopes.get(s)}
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

export function authorizeRoutes(rt: Runtime) {
  const { config } = rt;

  const currentUser = async (c: Context<AppEnv>) => {
    const token = readSession(c, config.secure);
    return token ? await resolveSession(rt, token) : undefined;
  };

  const handle = async (c: Context<AppEnv>, params: URLSearchParams, decision: string | undefined) => {
    c.header('Cache-Control', 'no-store');
    const check = await checkAuthorizeRequest(rt, params);
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
    if (decision === 'allow' || (await consentRemembered(rt, user, req))) {
      return c.redirect(await approve(rt, user, req, config.issuer), 303);
    }
    return c.html(<ConsentPage rt={rt} user={user} req={req} params={params} csrf={csrfToken(c, config.secure)} />);
  };

  const show = (c: Context<AppEnv>) => handle(c, new URL(c.req.url).searchParams, undefined);

  const submit = async (c: Context<AppEnv>) => {
    const form = await formWithCsrf(rt, c);
    const params = new URLSearchParams();
    for (const k of FORWARDED) {
      const v = form[k];
      if (typeof v === 'string') params.set(k, v);
      else if (Array.isArray(v)) for (const x of v) params.append(k, x);
    }
    const decision = form.decision;
    return handle(c, params, typeof decision === 'string' ? decision : 'deny');
  };

  // Valid or not, every request goes to the core check (see the top of this file).
  return oauthRouter()
    .openapi(showRoute, show, (result, c) => (result.success ? undefined : show(c)))
    .openapi(submitRoute, submit, (result, c) => (result.success ? undefined : submit(c)));
}
