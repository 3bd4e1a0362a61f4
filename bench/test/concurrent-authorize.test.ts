/**
 * Found by the code-flow benchmark: a signed-in user whose consent is remembered, authorizing
 * the same app many times at once (a busy client, many tabs). Every request must get its 303
 * with a code. On PostgreSQL some answered 500 while every authorization rewrote the consent
 * row (delete + insert in a SERIALIZABLE transaction): the writers conflicted (40001) until the
 * retries ran out. Consent is now one upsert, written only when it changes; this guards that.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../../packages/server/src/core/oauth/clients.js';
import { BACKENDS } from '../../packages/server/test/helpers/backends.js';
import { consoleLogin, csrfField } from '../../packages/server/test/helpers/http.js';
import { seedUser, systemActor, useServer } from '../../packages/server/test/helpers/server.js';

const N = 100;
const PASSWORD = 'correct horse battery staple';
const REDIRECT_URI = 'https://app.example.com/callback';

describe.each(BACKENDS)('concurrent authorizations with remembered consent on $name', (backend) => {
  const getServer = useServer(backend);

  it(`${N} parallel GET /oauth/authorize from one session all redirect with a code, none is a 5xx`, async (ctx) => {
    const server = getServer(ctx);
    const email = 'tabs@example.com';
    const user = await seedUser(server, email, PASSWORD);
    const { client } = await createClient(server.runtime, { ...systemActor, user }, user.id, 'confidential', { name: 'Busy app', redirectUris: [REDIRECT_URI], scopes: ['read'] });
    const session = await consoleLogin(server.url, email, PASSWORD);
    const params = new URLSearchParams({ client_id: client.id, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'read', state: 's' });
    const authorize = () => fetch(`${server.url}/oauth/authorize?${params}`, { redirect: 'manual', headers: { Cookie: session.jar.header() } });

    // Consent once, through the consent screen.
    const consent = await authorize();
    expect(consent.status).toBe(200);
    const form = new URLSearchParams(params);
    form.set('csrf', csrfField(await consent.text()));
    form.set('decision', 'allow');
    const allowed = await fetch(`${server.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: session.jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(allowed.status).toBe(303);

    const results = await Promise.all(
      Array.from({ length: N }, async () => {
        const res = await authorize();
        await res.arrayBuffer();
        return { status: res.status, location: res.headers.get('location') ?? '' };
      }),
    );
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    for (const r of results) {
      expect(r.status).toBe(303);
      expect(new URL(r.location).searchParams.get('code')).toMatch(/^ac_/);
    }
  });
});
