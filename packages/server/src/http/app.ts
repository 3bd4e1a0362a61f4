/**
 * The Hono application: middleware that holds everywhere, the surfaces, and the one place
 * where errors become responses. `createApp` is portable (Request → Response); listening
 * on a socket is server.ts's job.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { notFound } from '../core/errors.js';
import { apiKeyRoutes } from './api/api-keys.js';
import { applicationRoutes } from './api/applications.js';
import { auditLogRoutes } from './api/audit-log.js';
import { v0AuthRoutes } from './api/v0-auth.js';
import { accountPageRoutes } from './console/account.js';
import { apiKeyPageRoutes } from './console/api-keys.js';
import { applicationPageRoutes } from './console/applications.js';
import { authorizedAppPageRoutes } from './console/authorized-apps.js';
import { CONSOLE_CSS, CONSOLE_JS } from './console/assets.js';
import { ErrorPage } from './console/layout.js';
import { loadSession } from './console/session.js';
import type { AppEnv } from './env.js';
import type { Runtime } from '../core/runtime.js';
import { readBody } from './body.js';
import { apiError, normalizeError } from './errors.js';
import { oauthErrorResponse } from './oauth/errors.js';
import { oauthRoutes } from './oauth/index.js';
import { metricsRoutes } from './metrics.js';
import { operationRoutes } from './operations.js';
import { requestMetrics } from './request-metrics.js';
import { sampleApi } from '../sample/api.js';
import { localVerifier } from './local-verifier.js';
import { securityHeaders } from './security.js';
import { skillRoutes } from './skills.js';
import { storableInput } from './storable-input.js';

const isPage = (path: string) => path === '/console' || path.startsWith('/console/') || path === '/' || path === '/oauth/authorize';
const isOAuth = (path: string) => path.startsWith('/oauth/');

export function createApp(rt: Runtime): OpenAPIHono<AppEnv> {
  const { config, log } = rt;
  const app = new OpenAPIHono<AppEnv>();

  if (rt.metrics.enabled) app.use(requestMetrics(rt.metrics));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // The path only: query strings can carry codes and other secrets.
    log.info('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) });
  });
  app.use(securityHeaders(config.secure));
  app.use(readBody(config.maxBodyBytes));
  app.use(storableInput);

  // Browser apps on configured origins may call the token endpoints and JSON APIs with bearer
  // credentials (no cookies). The authorization endpoint never answers CORS (RFC 9700 §4.16).
  if (config.corsOrigins.length > 0) {
    const allow = cors({
      origin: config.corsOrigins,
      allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type'],
      exposeHeaders: ['WWW-Authenticate', 'Retry-After'],
      maxAge: 600,
    });
    for (const path of ['/v0/*', '/v1/*', '/oauth/token', '/oauth/revoke', '/oauth/introspect', '/.well-known/*']) app.use(path, allow);
  }

  const asset = (body: string, type: string) => (c: Context) =>
    c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600' });
  app.get('/assets/console.css', asset(CONSOLE_CSS, 'text/css; charset=utf-8'));
  app.get('/assets/console.js', asset(CONSOLE_JS, 'text/javascript; charset=utf-8'));

  app.get('/', (c) => c.redirect('/console'));
  // '/console/*' also matches '/console': one registration, one session lookup per request.
  app.use('/console/*', loadSession(rt));
  app.get('/console', (c) => c.redirect(c.get('sessionUser') ? '/console/settings/api-keys' : '/console/login'));
  // Mounted after loadSession: Hono runs handlers in the order they were added, so the session
  // is loaded (once) before every page, and its no-store header set after each.
  app.route('/', accountPageRoutes(rt));
  app.route('/', apiKeyPageRoutes(rt));
  app.route('/', applicationPageRoutes(rt));
  app.route('/', authorizedAppPageRoutes(rt));

  app.route('/v0', v0AuthRoutes(rt));
  app.route('/v1', apiKeyRoutes(rt));
  app.route('/v1', applicationRoutes(rt));
  app.route('/v1', auditLogRoutes(rt));
  if (config.sampleApi) app.route('/v1', sampleApi(localVerifier(rt), rt.clock));
  app.route('/', oauthRoutes(rt));
  app.route('/', skillRoutes(rt));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`sk_…`) or an access token (a JWT from `POST /v0/auth`)',
  });
  operationRoutes(app, rt);
  metricsRoutes(app, rt);

  const respond = (c: Context<AppEnv>, thrown: unknown) => {
    const err = normalizeError(rt, c, thrown);
    if (isPage(c.req.path)) {
      const message = err.expose ? err.detail : 'Internal server error';
      return c.html(ErrorPage({ status: err.status, message }), err.status as ContentfulStatusCode);
    }
    if (isOAuth(c.req.path)) return oauthErrorResponse(c, err);
    return apiError(c, err);
  };
  app.notFound((c) => respond(c, notFound(`No route for ${c.req.method} ${c.req.path}`)));
  app.onError((thrown, c) => respond(c, thrown));

  return app;
}
