/**
 * What every answer to a hostile request must satisfy, as a list of broken promises (empty
 * when it holds): no 5xx; the documented status when the row names one; an error body in its
 * surface's documented shape (docs/errors.md: `{"detail","status_code","extra"}` JSON on /v0,
 * /v1 and the rest of the API; RFC 6749 `{"error","error_description"}` with
 * `Cache-Control: no-store` on /oauth/token, revoke and introspect; an HTML page on the console
 * and /oauth/authorize); and no secret of the deployment anywhere in the response.
 */
import { MARKUP } from './protocol-rows.js';
import { surfaceOf } from './routes.js';
import type { HostileResponse } from './send.js';
import type { Row } from './table.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function brokenPromises(row: Row, res: HostileResponse, secrets: string[]): string[] {
  const broken: string[] = [];
  if (res.status >= 500 || res.status < 100) broken.push(`status ${res.status}`);
  if (row.status !== undefined && res.status !== row.status) broken.push(`status ${res.status}, documented ${row.status}`);
  const everything = `${JSON.stringify(res.headers)}\n${res.body}`;
  for (const secret of secrets) if (everything.includes(secret)) broken.push(`echoes the secret ${secret.slice(0, 6)}…`);
  if (/^text\/html/.test(res.headers['content-type'] ?? '') && res.body.includes(MARKUP)) broken.push('reflects markup unescaped in a page');
  if (res.status < 400 || row.method === 'HEAD' || row.bodiless) return broken;

  const type = res.headers['content-type'] ?? '';
  const surface = row.edge ? 'api' : surfaceOf(row.path);
  if (surface === 'page') {
    if (!/^text\/html/.test(type)) broken.push(`a page error as ${type || 'no Content-Type'}, not text/html`);
    return broken;
  }
  const body = parse(res.body);
  if (!/^application\/json/.test(type)) broken.push(`an error as ${type || 'no Content-Type'}, not application/json`);
  if (surface === 'oauth') {
    const keys = isObject(body) ? Object.keys(body).sort().join(',') : '';
    if (!isObject(body) || typeof body.error !== 'string' || !/^[a-z_]+$/.test(body.error) || !['error', 'error,error_description'].includes(keys)) {
      broken.push('not an RFC 6749 error body {"error","error_description"}');
    }
    if (!/no-store/.test(res.headers['cache-control'] ?? '')) broken.push('an OAuth error without Cache-Control: no-store');
    return broken;
  }
  const keys = isObject(body) ? Object.keys(body).sort().join(',') : '';
  if (!isObject(body) || keys !== 'detail,extra,status_code' || typeof body.detail !== 'string' || body.detail.length === 0 || body.status_code !== res.status || !isObject(body.extra)) {
    broken.push('not the error body {"detail","status_code","extra"} with status_code = the status');
  }
  return broken;
}

/** One line per failing row: the request as sent and the answer as received. */
export function describeFailure(row: Row, res: HostileResponse | Error, broken: string[]): string {
  const excerpt = (s: string | undefined, n: number) => (s === undefined ? '' : JSON.stringify(s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s));
  const request = row.raw !== undefined ? `raw ${excerpt(row.raw, 160)}` : `${row.method} ${excerpt(row.path, 160)} headers=${excerpt(JSON.stringify(row.headers ?? []), 200)} body=${excerpt(row.body, 120)}`;
  const answer = res instanceof Error ? `no answer: ${res.message}` : `→ ${res.status} ${res.headers['content-type'] ?? ''} ${excerpt(res.body, 300)}`;
  return `[${row.name}] ${broken.join('; ')}\n    ${request}\n    ${answer}`;
}
