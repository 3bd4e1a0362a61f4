/**
 * The security headers on every answer, on both ways the app runs: behind Node (set on Node's
 * response before the route runs) and called directly (`app.request`, set on the web Response).
 * HSTS only when the deployment is served over https; an OAuth page's CSP names its form target.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { sqlite } from '../helpers/backends.js';
import { useServer } from '../helpers/server.js';

const FIXED = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

describe.each([
  { name: 'http issuer', secure: false },
  { name: 'https issuer', secure: true },
])('security headers with an $name', ({ secure }) => {
  const getServer = useServer(sqlite, secure ? { env: { GATEHOUSE_ISSUER: 'https://auth.example.com' } } : {});

  const check = (res: Response) => {
    for (const [name, value] of Object.entries(FIXED)) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self';");
    if (secure) expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    else expect(res.headers.get('strict-transport-security')).toBeNull();
  };

  it('behind Node: on a JSON answer, an error and a page', async (ctx) => {
    const server = getServer(ctx);
    for (const path of ['/healthz', '/v1/agents', '/no/such/route', '/console/login']) check(await fetch(`${server.url}${path}`));
  });

  it('called directly: the same headers', async (ctx) => {
    const app = createApp(getServer(ctx).runtime);
    for (const path of ['/healthz', '/v1/agents', '/console/login']) check(await app.request(path));
  });
});
