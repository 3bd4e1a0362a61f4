/**
 * The hostile-input table: for every mounted route, requests no honest client sends. Rows are
 * generated per route (so a new route gets them all) plus fixed rows for the edge itself
 * (traversal, Host, cookies, bytes no client library emits). A row may name the status the
 * documentation promises (docs/errors.md, docs/security.md); every row must avoid 5xx.
 */
import type { MountedRoute } from './routes.js';
import type { HostileRequest } from './send.js';

export interface Row extends HostileRequest {
  /** What the row tries, for the failure message. */
  name: string;
  /** `METHOD /pattern` of the mounted route the row was generated for. */
  route?: string;
  /** The documented status, when the documentation names one. */
  status?: number;
  /** Refused before any route runs: the JSON body on every path (docs/security.md). */
  edge?: boolean;
  /** Node itself answers with an empty 400 and no hook runs (docs/security.md): status only. */
  bodiless?: boolean;
}

export interface TableFixtures {
  routes: MountedRoute[];
  /** Real ids for path parameters: a key, an application and an agent of the caller, a skill. */
  ids: { key: string; app: string; agent: string; skill: string };
  /** An `sk_` secret with every scope. */
  adminKey: string;
  /** A signed-in console session. */
  session: { cookie: string; csrf: string };
  /** A confidential OAuth client. */
  client: { id: string; secret: string };
  /** Whole Authorization header values (bearer-shapes.ts). */
  bearers: Array<[string, string]>;
}

const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];
const FORM_TYPE: [string, string] = ['Content-Type', 'application/x-www-form-urlencoded'];
const OVER_LIMIT = 70 * 1024; // GATEHOUSE_MAX_BODY_BYTES defaults to 64 KiB

/** Hostile query strings (appended to the route's own path). */
const QUERIES: Array<[string, string, number?]> = [
  ['duplicate parameters', 'a=1&a=2&limit=1&limit=2&client_id=x&client_id=y'],
  ['array parameters', 'a[]=1&a[]=2&scope[]=read&limit[]=5'],
  ['__proto__ and constructor parameters', '__proto__[admin]=1&constructor[prototype][admin]=1&__proto__=x'],
  ['escaped NUL', 'q=a%00b', 400],
  ['UTF-8 of a lone surrogate', 'q=%ED%A0%80&cursor=%ED%B0%80'],
  ['bytes that are not UTF-8', 'q=%FF%FE%C0%AF'],
  ['control characters', 'q=%01%08%1B%7F%C2%85'],
  ['SQL and LIKE metacharacters', "q=%27%20OR%20%271%27%3D%271&cursor=%25&before=_&name=%5C%5C&limit=1%3B--"],
  ['a malformed escape', 'q=%zz%&limit=%'],
  ['a 6 KiB query', `q=${'A'.repeat(6000)}`],
];

/** Hostile bodies: [what, Content-Type (none when undefined), body, documented status]. */
function bodies(csrf: string): Array<[string, string | undefined, string, number?]> {
  const deepArray = `{"note":"\\u0041","a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
  const deepObject = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
  return [
    ['JSON sent as text/plain', 'text/plain', '{"name":"x","scopes":["read"]}'],
    ['JSON without a Content-Type', undefined, '{"name":"x"}'],
    ['XML', 'application/xml', '<?xml version="1.0"?><a>x</a>'],
    ['multipart without a boundary', 'multipart/form-data', 'name=x'],
    ['multipart with garbage', 'multipart/form-data; boundary=zz', '--zz\r\ngarbage'],
    ['a JSON content type with a bogus charset', 'application/json; charset=ebcdic', '{"name":"x"}'],
    ['truncated JSON', 'application/json', '{"name":'],
    ['JSON with single quotes', 'application/json', "{'name':'x'}"],
    ['JSON with a raw control character', 'application/json', '{"name":"a\u0001b"}'],
    ['JSON nested 20000 deep (with an escape, so it is walked)', 'application/json', deepArray],
    ['JSON objects nested 5000 deep', 'application/json', deepObject],
    ['JSON escaped NUL 20000 arrays deep', 'application/json', `{"a":${'['.repeat(20_000)}"\\u0000"${']'.repeat(20_000)}}`, 400],
    ['JSON lone surrogate 5000 objects deep', 'application/json', `${'{"a":'.repeat(5000)}"\\udc00"${'}'.repeat(5000)}`, 400],
    ['JSON top-level array, string, number, null', 'application/json', '[1,"x",null]'],
    ['JSON __proto__ and constructor keys', 'application/json', '{"__proto__":{"admin":true,"scopes":["admin"]},"constructor":{"prototype":{"admin":true}},"name":"x"}'],
    ['JSON escaped NUL in a value', 'application/json', '{"name":"a\\u0000b","key_id":"key_\\u0000"}', 400],
    ['JSON escaped NUL in a key', 'application/json', '{"\\u0000":1}', 400],
    ['JSON lone surrogate escape', 'application/json', '{"name":"\\ud800x"}', 400],
    ['JSON SQL and LIKE metacharacters', 'application/json', `{"name":"' OR 1=1 --%_\\\\","key_id":"%","key_secret":"_","scopes":["%"],"redirect_uris":["'"]}`],
    ['JSON duplicate keys and huge numbers', 'application/json', '{"name":"a","name":"b","grace_seconds":1e999,"limit":-0}'],
    ['JSON arrays for every scalar', 'application/json', '{"name":["a"],"key_id":["x"],"key_secret":[],"scopes":[["read"]]}'],
    ['a body over the size limit', 'application/json', `{"name":"${'x'.repeat(OVER_LIMIT)}"}`, 413],
    ['a form with duplicate parameters', FORM_TYPE[1], `csrf=${csrf}&grant_type=client_credentials&grant_type=refresh_token&token=a&token=b&name=a&name=b`],
    ['a form with array parameters', FORM_TYPE[1], `csrf=${csrf}&scope[]=read&scopes[]=admin&redirect_uris[]=x&name[]=n`],
    ['a form with __proto__ and constructor', FORM_TYPE[1], `csrf=${csrf}&__proto__=x&constructor=y&__proto__[admin]=1&toString=z`],
    ['a form with an escaped NUL', FORM_TYPE[1], `csrf=${csrf}&name=a%00b&email=a%00@example.com`, 400],
    ['a form with a raw NUL', FORM_TYPE[1], `csrf=${csrf}&name=a\u0000b`, 400],
    ['a form with UTF-8 of a lone surrogate', FORM_TYPE[1], `csrf=${csrf}&name=%ED%A0%80&email=%ED%A0%80`],
    ['a form with malformed escapes', FORM_TYPE[1], `csrf=${csrf}&name=%zz&email=%&token=%E0%A4%A`],
    ['a form with control characters', FORM_TYPE[1], `csrf=${csrf}&name=%01%1B%7F&email=a%0D%0ABcc%3Aevil%40example.com`],
    ['a form with SQL and LIKE metacharacters', FORM_TYPE[1], `csrf=${csrf}&email=%27%20OR%201%3D1--%40x.com&password=%25%25%25%25%25%25%25%25%25%25%25%25&name=_%5C&token=%25&client_id=%25`],
    ['a form with a 60 KiB value', FORM_TYPE[1], `csrf=${csrf}&name=${'n'.repeat(60_000)}`],
    ['a form sent as JSON', 'application/json', `csrf=${csrf}&name=x`],
  ];
}

const HOSTILE_PATH_VALUES: Array<[string, string, number?]> = [
  ['a quote', "'"],
  ['SQL injection', '%27%20OR%201%3D1--'],
  ['LIKE wildcards', '%25_%25'],
  ['a backslash', '%5C'],
  ['an escaped NUL', 'key_%00', 400],
  ['UTF-8 of a lone surrogate', '%ED%A0%80'],
  ['bytes that are not UTF-8', '%FF%FE'],
  ['an emoji', '%F0%9F%90%9B'],
  ['5000 characters', 'k'.repeat(5000)],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['an encoded slash and dot segment', '..%2F..%2Fetc%2Fpasswd'],
  ['a malformed escape', '%zz%'],
];

const ODD_METHODS = ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'HEAD', 'PROPFIND', 'MKCOL'];

export function hostileTable(f: TableFixtures): Row[] {
  const rows: Row[] = [];
  const fill = (pattern: string, value?: string) =>
    pattern.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
      if (value !== undefined) return value;
      if (name === 'key_id' || (name === 'id' && pattern.includes('api-keys'))) return f.ids.key;
      if (name === 'client_id' || name === 'clientId' || (name === 'id' && pattern.includes('applications'))) return f.ids.app;
      if (name === 'name') return f.ids.skill;
      if (name === 'id') return f.ids.agent;
      throw new Error(`no value for :${name} in ${pattern}`);
    });
  /** The credentials that get a request of this route furthest in. */
  const credentials = (pattern: string): Array<[string, string]> => {
    if (pattern.startsWith('/console') || pattern === '/oauth/authorize') return [['Cookie', f.session.cookie]];
    if (/^\/oauth\/(token|revoke|introspect)$/.test(pattern)) return [['Authorization', `Basic ${Buffer.from(`${f.client.id}:${f.client.secret}`).toString('base64')}`]];
    return [['Authorization', `Bearer ${f.adminKey}`]];
  };
  // Signing out would end the session the other rows use: that form gets no valid CSRF value.
  const csrfFor = (pattern: string) => (pattern === '/console/logout' ? 'x' : f.session.csrf);

  for (const route of f.routes) {
    const path = fill(route.pattern);
    const at = `${route.method} ${route.pattern}`;
    const creds = credentials(route.pattern);
    const push = (row: Row) => rows.push({ ...row, route: at });
    push({ name: `${at}: no credentials`, method: route.method, path });
    push({ name: `${at}: two Authorization headers`, method: route.method, path, headers: [['Authorization', `Bearer ${f.adminKey}`], ['Authorization', 'Bearer sk_other']], status: 400 });
    for (const [what, header] of f.bearers) push({ name: `${at}: Authorization ${what}`, method: route.method, path, headers: [['Authorization', header]] });
    for (const [what, query, status] of QUERIES) {
      push({ name: `${at}: query with ${what}`, method: route.method, path: `${path}?${query}`, headers: creds, ...(status ? { status } : {}) });
    }
    if (route.method !== 'GET') {
      for (const [what, type, body, status] of bodies(csrfFor(route.pattern))) {
        push({ name: `${at}: ${what}`, method: route.method, path, headers: [...creds, ...(type ? [['Content-Type', type] as [string, string]] : [])], body, ...(status ? { status } : {}) });
      }
    }
    if (route.pattern.startsWith('/v1/') && route.method !== 'GET') {
      // The console's own calls: cookie-authenticated, so the CSRF header is what stands in the way
      // (403). The sample API takes no session at all (docs/api.md): there the cookie is no credential.
      const cookie: [string, string] = ['Cookie', f.session.cookie];
      const refused = route.pattern.startsWith('/v1/agents') ? 401 : 403;
      push({ name: `${at}: session cookie without X-CSRF-Token`, method: route.method, path, headers: [cookie, JSON_TYPE], body: '{"name":"x"}', status: refused });
      push({ name: `${at}: session cookie with a wrong X-CSRF-Token`, method: route.method, path, headers: [cookie, JSON_TYPE, ['X-CSRF-Token', `${f.session.csrf.slice(0, -1)}x`]], body: '{"name":"x"}', status: refused });
      push({ name: `${at}: session cookie, two X-CSRF-Token headers`, method: route.method, path, headers: [cookie, JSON_TYPE, ['X-CSRF-Token', f.session.csrf], ['X-CSRF-Token', 'x']], body: '{"name":"x"}' });
      push({ name: `${at}: session cookie and CSRF, __proto__ keys`, method: route.method, path, headers: [cookie, JSON_TYPE, ['X-CSRF-Token', f.session.csrf]], body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"scopes":["admin"]}}}' });
      push({ name: `${at}: session cookie and CSRF, escaped NUL`, method: route.method, path, headers: [cookie, JSON_TYPE, ['X-CSRF-Token', f.session.csrf]], body: '{"name":"\\u0000"}', status: 400 });
    }
    if (route.pattern.includes(':')) {
      for (const [what, value, status] of HOSTILE_PATH_VALUES) {
        push({ name: `${at}: path parameter ${what}`, method: route.method, path: fill(route.pattern, value), headers: creds, ...(status ? { status } : {}) });
      }
    }
  }

  for (const path of [...new Set(f.routes.map((r) => fill(r.pattern)))]) {
    for (const method of ODD_METHODS) {
      if (f.routes.some((r) => r.method === method && fill(r.pattern) === path)) continue;
      rows.push({ name: `${method} ${path}: an odd method`, method, path, headers: [['Authorization', `Bearer ${f.adminKey}`], JSON_TYPE], ...(method === 'HEAD' || method === 'TRACE' ? {} : { body: '{}' }) });
    }
  }

  for (const path of [
    '/v1/../console/login', '/v1/%2e%2e/console/login', '/v1/api-keys/..%2f..%2fetc%2fpasswd', '//v1/api-keys', '/v1//api-keys', '/v1/api-keys/',
    '/assets/../../../../etc/passwd', '/assets/%2e%2e/%2e%2e/package.json', '/assets/console.css/..%2f..%2fserver.ts', '/skills/..%2f..%2fpackage.json/SKILL.md',
    '/skills/%2e%2e/SKILL.md', '/.well-known/../openapi.json', '/.well-known/%2e%2e%2fopenapi.json', '/oauth/authorize/..;/token', '/console/..%5c..%5cetc%5cpasswd',
    '/%2e%2e/%2e%2e/etc/passwd', '/v1/api-keys/%2e%2e', '/console/settings/api-keys/%2e%2e/revoke', '/.git/config', '/v1/api-keys%2f..%2f..%2fhealthz',
  ]) {
    rows.push({ name: `GET ${path}: path traversal`, method: 'GET', path, headers: [['Authorization', `Bearer ${f.adminKey}`], ['Cookie', f.session.cookie]] });
  }
  rows.push({ name: 'absolute-form request target naming another host', method: 'GET', path: 'http://evil.example/v1/api-keys', headers: [['Authorization', `Bearer ${f.adminKey}`]] });

  // A Host that is no host cannot become a URL: refused before routing, 400 with the JSON body.
  const HOSTS: Array<[string, Array<[string, string]>, true?]> = [
    ['another host', [['Host', 'evil.example']]],
    ['an out-of-range port', [['Host', '127.0.0.1:99999']], true],
    ['userinfo in the Host', [['Host', '127.0.0.1:1@evil.example']], true],
    ['a path in the Host', [['Host', 'evil.example/../x']], true],
    ['an unclosed IPv6 literal', [['Host', '[::1']], true],
    ['an empty Host', [['Host', '']]],
    ['two Host headers', [['Host', 'evil.example'], ['Host', '127.0.0.1']]],
    ['a 4 KiB Host', [['Host', `${'a'.repeat(4000)}.example`]]],
    ['forwarding headers from the client', [['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-For', "' OR 1=1--, 999.1.1.1"], ['X-Forwarded-Proto', 'gopher'], ['Forwarded', 'for=evil;host=evil.example']]],
  ];
  for (const path of ['/.well-known/oauth-authorization-server', '/openapi.json', '/console/login', '/oauth/authorize?client_id=x&response_type=code', '/v1/api-keys', '/skills']) {
    for (const [what, headers, invalid] of HOSTS) {
      rows.push({ name: `GET ${path}: Host trick, ${what}`, method: 'GET', path, headers: [...headers, ['Authorization', `Bearer ${f.adminKey}`]], ...(invalid ? { edge: true, status: 400 } : {}) });
    }
  }

  const COOKIES: Array<[string, string, number?]> = [
    ['an escaped NUL', 'gh_session=%00', 400],
    ['UTF-8 of a lone surrogate', 'gh_session=%ED%A0%80; gh_csrf=%ED%B0%80'],
    ['SQL and LIKE metacharacters', "gh_session=%27%20OR%201%3D1--; gh_csrf=%25_"],
    ['repeated session and CSRF cookies', `gh_session=x; ${f.session.cookie}; gh_session=y; gh_csrf=a; gh_csrf=b`],
    ['__proto__ cookies', '__proto__=x; constructor=y; gh_session=__proto__'],
    ['a quoted session cookie', 'gh_session="abc"; gh_csrf="def"'],
    ['malformed escapes', 'gh_session=%zz%; gh_csrf=%'],
    ['an 8 KiB cookie', `gh_session=${'s'.repeat(8000)}`],
  ];
  for (const [method, path] of [['GET', '/console/settings/api-keys'], ['POST', '/console/settings/api-keys'], ['GET', '/oauth/authorize?client_id=x&response_type=code'], ['GET', '/v1/api-keys'], ['POST', '/console/logout']] as const) {
    for (const [what, cookie, status] of COOKIES) {
      rows.push({ name: `${method} ${path}: cookie with ${what}`, method, path, headers: [['Cookie', cookie], ['X-CSRF-Token', 'a'], FORM_TYPE], ...(method === 'POST' ? { body: 'csrf=a&name=x' } : {}), ...(status ? { status } : {}) });
    }
  }

  // Bytes no HTTP client sends: Node answers them itself, with the JSON body on every path.
  const raw = (name: string, text: string, status?: number, bodiless?: true) =>
    rows.push({ name, method: 'RAW', path: text.split(' ')[1] ?? '/', raw: text, edge: true, ...(status ? { status } : {}), ...(bodiless ? { bodiless } : {}) });
  raw('a raw NUL in the request line', 'GET /v1/api-keys\0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400);
  raw('a raw space in the path', 'GET /console/log in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400);
  raw('a raw NUL in a header value', 'GET /v1/api-keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_\0\r\nConnection: close\r\n\r\n', 400);
  raw('a raw NUL in a cookie', 'GET /console/login HTTP/1.1\r\nHost: x\r\nCookie: gh_session=a\0b\r\nConnection: close\r\n\r\n', 400);
  raw('a method with invalid characters', 'G@T /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400);
  raw('no Host header in HTTP/1.1', 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n', 400, true);
  raw('Content-Length and Transfer-Encoding together', 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n', 400);
  raw('a Content-Length that is not a number', 'POST /v1/api-keys HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}', 400);
  raw('an obsolete folded header', 'GET /v1/api-keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n sk_folded\r\nConnection: close\r\n\r\n');
  raw('headers over 16 KiB', `GET /oauth/token HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20_000)}\r\nConnection: close\r\n\r\n`, 431);
  raw('a request line that is not HTTP', 'HELLO\r\n\r\n', 400);
  for (const path of ['/v1/api-keys', '/oauth/token', '/oauth/authorize', '/console/login']) {
    raw(`a method Node does not know, at ${path}`, `FOO ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 400);
  }
  return rows;
}
