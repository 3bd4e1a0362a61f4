/**
 * The deployment kit names only settings Gatehouse really reads (an invented or misspelt variable
 * would be ignored without a word), and compose.yaml wires the two instances the way
 * docs/deploy.md says: one database, one Redis, one shared secret, an https issuer, trust in exactly the one
 * proxy, reachable only through Caddy, which balances over both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECRET_ENV, URL_ENV } from '../../src/cli/token.js';
import { ENV_KEYS } from '../../src/config.js';
import { REPO_ROOT } from '../helpers/paths.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const KIT = ['Dockerfile', 'compose.yaml', 'deploy/Caddyfile', 'deploy/build.sh', 'deploy/healthcheck.mjs', 'docs/deploy.md'];
/** What Gatehouse reads from the environment: the configuration, and the two variables of `gatehouse token`. */
const REAL = new Set<string>([...Object.keys(ENV_KEYS), SECRET_ENV, URL_ENV]);

/** The `environment:` block of the shared Gatehouse service definition in compose.yaml. */
function gatehouseEnvironment(compose: string): Record<string, string> {
  const block = /^x-gatehouse: &gatehouse\n([\s\S]*?)^\S/m.exec(compose)?.[1] ?? '';
  const env = /^ {2}environment:\n((?: {4}.*\n)+)/m.exec(block)?.[1] ?? '';
  return Object.fromEntries(
    env
      .split('\n')
      .filter((l) => /^ {4}[A-Z_]+:/.test(l))
      .map((l) => {
        const [name = '', ...value] = l.trim().split(':');
        return [name, value.join(':').trim().replace(/^"|"$/g, '')];
      }),
  );
}

describe('the deployment kit', () => {
  it.for(KIT)('%s names only real GATEHOUSE_* settings', (file) => {
    const named = new Set(read(file).match(/\bGATEHOUSE_[A-Z0-9_]+/g) ?? []);
    expect([...named].filter((n) => !REAL.has(n))).toEqual([]);
  });

  it('compose.yaml: both instances share one database and one secret, with an https issuer behind the one proxy', () => {
    const compose = read('compose.yaml');
    const env = gatehouseEnvironment(compose);
    expect(Object.keys(env).sort()).toEqual(['DATABASE_URL', 'GATEHOUSE_ISSUER', 'GATEHOUSE_SECRET', 'GATEHOUSE_SIGNUP', 'GATEHOUSE_TRUST_PROXY', 'REDIS_URL']);
    for (const name of Object.keys(env)) expect(REAL.has(name), name).toBe(true);
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/gatehouse:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/gatehouse$/);
    // Required, never defaulted: a missing secret stops `docker compose up` instead of each instance inventing its own.
    expect(env.GATEHOUSE_SECRET).toMatch(/^\$\{GATEHOUSE_SECRET:\?/);
    expect(env.GATEHOUSE_ISSUER).toMatch(/^https:\/\//);
    expect(env.GATEHOUSE_TRUST_PROXY).toBe('true');
    // Both instances count throttles and hear revocations through the one redis service.
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    for (const service of ['gatehouse-1', 'gatehouse-2']) expect(compose).toContain(`  ${service}:\n    <<: *gatehouse\n`);
    // No published port on the instances: the trust-proxy rule holds only if Caddy is the way in.
    const shared = /^x-gatehouse: &gatehouse\n([\s\S]*?)^\S/m.exec(compose)?.[1] ?? '';
    expect(shared).not.toMatch(/^ {2}ports:/m);
    expect(compose).toMatch(/^ {2}postgres:\n/m);
    expect(compose).toMatch(/^ {2}redis:\n/m);
  });

  it('deploy/Caddyfile balances over both instances on the port the image exposes, ready ones only', () => {
    const caddy = read('deploy/Caddyfile');
    expect(caddy).toMatch(/reverse_proxy gatehouse-1:8080 gatehouse-2:8080 \{/);
    expect(caddy).toMatch(/health_uri \/readyz/);
    expect(read('Dockerfile')).toMatch(/^EXPOSE 8080$/m);
  });
});
