/**
 * Hostile rows that get past the first checks: OAuth and key-exchange requests that carry a real
 * client, a real redirect URI or a real key id, so each hostile parameter reaches the code that
 * interprets it (grant handlers, redirect-URI matching, PKCE, consent rendering). Values carry
 * MARKUP, which no page may return unescaped.
 */
import type { Row } from './table.js';

/** Reflected into a page unescaped, this would run as script. */
export const MARKUP = '"><script>h0stile()</script>';

export interface ProtocolFixtures {
  client: { id: string; secret: string };
  redirectUri: string;
  keyId: string;
  session: { cookie: string; csrf: string };
  /** Whole Authorization header values; their token part is reused as a form value. */
  bearers: Array<[string, string]>;
}

const FORM: [string, string] = ['Content-Type', 'application/x-www-form-urlencoded'];
const enc = encodeURIComponent;

/** Values for one parameter: metacharacters, markup, odd encodings, sizes. */
const VALUES: Array<[string, string]> = [
  ['empty', ''],
  ['SQL and LIKE metacharacters', "' OR 1=1 --%_\\"],
  ['markup', MARKUP],
  ['CRLF and a header', 'x\r\nSet-Cookie: gh_session=evil'],
  ['control characters', '\u0001\u001b\u007f'],
  ['an emoji and combining marks', '🐛e\u0301\u202e'],
  ['4000 characters', 'v'.repeat(4000)],
  ['a JavaScript URL', 'javascript:alert(1)'],
  ['a relative URL', '/callback/../../evil'],
  ['another origin', 'https://evil.example/callback'],
];

export function protocolRows(f: ProtocolFixtures): Row[] {
  const rows: Row[] = [];
  const basic: [string, string] = ['Authorization', `Basic ${Buffer.from(`${f.client.id}:${f.client.secret}`).toString('base64')}`];
  const cookie: [string, string] = ['Cookie', f.session.cookie];
  const authorize = { response_type: 'code', client_id: f.client.id, redirect_uri: f.redirectUri, scope: 'read', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' };
  const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

  for (const param of Object.keys(authorize)) {
    for (const [what, value] of VALUES) {
      const q = query({ ...authorize, [param]: value });
      rows.push({ name: `GET /oauth/authorize signed in, ${param} ${what}`, route: 'GET /oauth/authorize', method: 'GET', path: `/oauth/authorize?${q}`, headers: [cookie] });
      rows.push({ name: `GET /oauth/authorize signed out, ${param} ${what}`, route: 'GET /oauth/authorize', method: 'GET', path: `/oauth/authorize?${q}` });
    }
    rows.push({ name: `GET /oauth/authorize, ${param} twice`, route: 'GET /oauth/authorize', method: 'GET', path: `/oauth/authorize?${query(authorize)}&${param}=${enc(MARKUP)}`, headers: [cookie] });
  }
  for (const decision of ['allow', 'deny', 'maybe', MARKUP]) {
    for (const csrf of [f.session.csrf, 'wrong']) {
      rows.push({
        name: `POST /oauth/authorize decision ${JSON.stringify(decision).slice(0, 20)}, ${csrf === 'wrong' ? 'wrong' : 'valid'} CSRF, markup in state`,
        route: 'POST /oauth/authorize',
        method: 'POST',
        path: `/oauth/authorize?${query({ ...authorize, state: MARKUP })}`,
        headers: [cookie, FORM],
        body: query({ csrf, decision }),
      });
    }
  }

  const grants: Array<[string, Record<string, string>]> = [
    ['authorization_code', { grant_type: 'authorization_code', code: 'x', redirect_uri: f.redirectUri, code_verifier: 'v'.repeat(43) }],
    ['refresh_token', { grant_type: 'refresh_token', refresh_token: 'rt_x', scope: 'read' }],
    ['client_credentials', { grant_type: 'client_credentials', scope: 'read' }],
    ['an unknown grant', { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'a.b.c' }],
  ];
  for (const [grant, form] of grants) {
    for (const param of Object.keys(form)) {
      for (const [what, value] of VALUES) {
        rows.push({ name: `POST /oauth/token ${grant}, ${param} ${what}`, route: 'POST /oauth/token', method: 'POST', path: '/oauth/token', headers: [basic, FORM], body: query({ ...form, [param]: value }) });
      }
    }
    rows.push({ name: `POST /oauth/token ${grant}, client_secret_post and Basic together`, route: 'POST /oauth/token', method: 'POST', path: '/oauth/token', headers: [basic, FORM], body: query({ ...form, client_id: f.client.id, client_secret: f.client.secret }) });
    rows.push({ name: `POST /oauth/token ${grant}, a resource that is no URI`, route: 'POST /oauth/token', method: 'POST', path: '/oauth/token', headers: [basic, FORM], body: `${query(form)}&resource=${enc('not a uri#frag')}&resource=${enc('https://evil.example')}` });
  }

  const tokens = f.bearers.map(([what, header]) => [what, header.replace(/^\S+ ?/, '')] as const);
  for (const endpoint of ['/oauth/revoke', '/oauth/introspect']) {
    for (const [what, token] of tokens) {
      rows.push({ name: `POST ${endpoint}, token ${what}`, route: `POST ${endpoint}`, method: 'POST', path: endpoint, headers: [basic, FORM], body: query({ token, token_type_hint: 'access_token' }) });
    }
    for (const [what, hint] of VALUES) {
      rows.push({ name: `POST ${endpoint}, token_type_hint ${what}`, route: `POST ${endpoint}`, method: 'POST', path: endpoint, headers: [basic, FORM], body: query({ token: 'rt_x', token_type_hint: hint }) });
    }
  }

  for (const [what, value] of VALUES) {
    for (const field of ['key_secret', 'scopes']) {
      const body = { key_id: f.keyId, key_secret: 'sk_x', scopes: ['read'], [field]: field === 'scopes' ? [value] : value };
      rows.push({ name: `POST /v0/auth with a real key_id, ${field} ${what}`, route: 'POST /v0/auth', method: 'POST', path: '/v0/auth', headers: [['Content-Type', 'application/json']], body: JSON.stringify(body) });
    }
  }
  return rows;
}
