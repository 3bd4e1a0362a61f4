/** The load specs of Gatehouse's OAuth scenarios (set up once, lazily, on the running server). */
import { codeFlow, refreshChain } from './flows.js';
import type { Database } from './gatehouse.js';
import {
  FORM,
  type GatehouseOAuth,
  INTROSPECT_PATH,
  TOKEN_PATH,
  codeExchangeBody,
  codeFrom,
  opaqueAccessToken,
  refreshBody,
  refreshTokens,
  setupOAuth,
} from './gatehouse-oauth.js';
import type { LoadSpec } from '../harness/load.js';
import type { Row } from '../harness/report.js';
import type { RunContext } from '../harness/tasks.js';

type OAuthScenario = 'refresh' | 'introspect' | 'code-flow';

export interface FlowSpec {
  row: { scenario: OAuthScenario; target: 'sqlite' | 'postgres'; variant?: string; unit?: Row['unit'] };
  /** The load spec against the server at `url` (any server on the same database). */
  spec: (url: string) => Promise<LoadSpec>;
}

export function flowsFor(ctx: RunContext, db: Database): Record<OAuthScenario, FlowSpec> {
  // Set up once per database (account, app, consent): later server processes share it.
  let setup: Promise<GatehouseOAuth> | undefined;
  const oauth = (url: string) => {
    setup ??= setupOAuth(db, url);
    return setup;
  };
  const target = db.backend;
  const auth = async (url: string) => ({ authorization: (await oauth(url)).basic, 'content-type': FORM });
  return {
    refresh: {
      row: { scenario: 'refresh', target },
      spec: async (url) => {
        const o = await oauth(url);
        // One batch for the warm-up, one for the measured run: a token is never sent twice.
        const batches = [await refreshTokens(url, o, ctx.opts.connections), await refreshTokens(url, o, ctx.opts.connections)];
        return { method: 'POST', path: TOKEN_PATH, expect: [200], requests: refreshChain(TOKEN_PATH, await auth(url), () => batches.shift() ?? [], refreshBody) };
      },
    },
    introspect: {
      row: { scenario: 'introspect', target, variant: 'opaque token' },
      spec: async (url) => {
        const token = await opaqueAccessToken(url, await oauth(url));
        return { method: 'POST', path: INTROSPECT_PATH, headers: await auth(url), body: `token=${encodeURIComponent(token)}`, expect: [200] };
      },
    },
    'code-flow': {
      row: { scenario: 'code-flow', target, unit: 'flows/s' },
      spec: async (url) => {
        const o = await oauth(url);
        return {
          method: 'GET',
          path: o.authorizePath,
          expect: [200, 303],
          perUnit: 2,
          requests: codeFlow({ authorizePath: o.authorizePath, sessionCookie: o.sessionCookie, tokenPath: TOKEN_PATH, tokenHeaders: await auth(url), codeFrom, tokenBody: codeExchangeBody }),
        };
      },
    },
  };
}
