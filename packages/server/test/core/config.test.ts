import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Config, ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_SCOPES } from '../../src/core/scopes.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The problems loadConfig reports for `env`; fails the test if it accepts it. */
function problems(env: Record<string, string>): string[] {
  let config: Config | undefined;
  try {
    config = loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const { problems: list, message } = err as ConfigError;
    for (const p of list) expect(message).toContain(p);
    return list;
  }
  throw new Error(`expected a ConfigError, got ${JSON.stringify(config)}`);
}

describe('loadConfig defaults', () => {
  it('serves on 8080 with a local issuer, SQLite under the data directory, open sign-up', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.issuer).toBe('http://localhost:8080');
    expect(c.secure).toBe(false);
    expect(c.dataDir).toBe(resolve('data'));
    expect(c.database).toEqual({ sqlitePath: join(resolve('data'), 'gatehouse.db') });
    expect(c.signup).toBe('open');
    expect(c.scopes).toEqual(DEFAULT_SCOPES);
    expect(c.prefixes).toEqual({ apiKey: 'sk_', accessToken: 'at_', refreshToken: 'rt_', clientSecret: 'cs_' });
    expect(c.tls).toBeNull();
    expect(c.logLevel).toBe('info');
  });

  it('puts the SQLite file in GATEHOUSE_DATA_DIR and derives the issuer from PORT', () => {
    const c = loadConfig({ GATEHOUSE_DATA_DIR: dir, PORT: '9090' });
    expect(c.dataDir).toBe(dir);
    expect(c.database).toEqual({ sqlitePath: join(dir, 'gatehouse.db') });
    expect(c.issuer).toBe('http://localhost:9090');
  });

  it('treats empty variables as unset and strips a trailing slash from the issuer', () => {
    const c = loadConfig({ PORT: '', GATEHOUSE_SIGNUP: '', GATEHOUSE_ISSUER: 'https://auth.example.com/' });
    expect(c.port).toBe(8080);
    expect(c.signup).toBe('open');
    expect(c.issuer).toBe('https://auth.example.com');
    expect(c.secure).toBe(true);
  });
});

describe('loadConfig sources', () => {
  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/gh' }).database).toEqual({ postgresUrl: 'postgres://u:p@db:5432/gh' });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/gh' }).database).toEqual({ postgresUrl: 'postgresql://db/gh' });
  });

  it('reads GATEHOUSE_SCOPES as a JSON object of scope → description', () => {
    const scopes = { 'interhumanai.upload': 'Upload media', read: 'Read resources' };
    expect(loadConfig({ GATEHOUSE_SCOPES: JSON.stringify(scopes) }).scopes).toEqual(scopes);
  });

  it('reads the GATEHOUSE_CONFIG JSON file, with environment variables overriding it', () => {
    const path = configFile('ok.json', { port: 7000, signup: 'invite', apiKeyPrefix: 'acme_', scopes: { upload: 'Upload' }, databaseUrl: 'postgres://db/x' });
    const fromFile = loadConfig({ GATEHOUSE_CONFIG: path });
    expect(fromFile.port).toBe(7000);
    expect(fromFile.signup).toBe('invite');
    expect(fromFile.prefixes.apiKey).toBe('acme_');
    expect(fromFile.scopes).toEqual({ upload: 'Upload' });
    expect(fromFile.database).toEqual({ postgresUrl: 'postgres://db/x' });
    const overridden = loadConfig({ GATEHOUSE_CONFIG: path, PORT: '7100', GATEHOUSE_SIGNUP: 'closed' });
    expect(overridden.port).toBe(7100);
    expect(overridden.signup).toBe('closed');
    expect(overridden.prefixes.apiKey).toBe('acme_');
  });

  it('rejects unknown keys and unreadable content in the config file', () => {
    const unknown = problems({ GATEHOUSE_CONFIG: configFile('unknown.json', { port: 8081, prot: 1 }) });
    expect(unknown).toEqual([expect.stringMatching(/^GATEHOUSE_CONFIG: .*"prot"/)]);
    for (const [name, content] of [['bad.json', '{not json'], ['array.json', '[1]']] as const) {
      expect(problems({ GATEHOUSE_CONFIG: configFile(name, content) })[0]).toMatch(/^GATEHOUSE_CONFIG: /);
    }
    expect(problems({ GATEHOUSE_CONFIG: join(dir, 'missing.json') })[0]).toMatch(/^GATEHOUSE_CONFIG: /);
  });

  it('names the environment variable for a bad value that came from the file', () => {
    expect(problems({ GATEHOUSE_CONFIG: configFile('badport.json', { port: 'eighty' }) })).toEqual([expect.stringMatching(/^PORT: /)]);
  });
});

describe('loadConfig problems name the variable', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['GATEHOUSE_SIGNUP', 'maybe'],
    ['DATABASE_URL', 'mysql://db/gh'],
    ['DATABASE_URL', 'sqlite:./gh.db'],
    ['GATEHOUSE_API_KEY_PREFIX', 'SK_'],
    ['GATEHOUSE_API_KEY_PREFIX', 'sk-'],
    ['GATEHOUSE_ACCESS_TOKEN_PREFIX', 'at'],
    ['GATEHOUSE_SCOPES', '{not json'],
    ['GATEHOUSE_SCOPES', '{}'],
    ['GATEHOUSE_SCOPES', '{"two words":"x"}'],
    ['GATEHOUSE_ISSUER', 'ftp://auth.example.com'],
  ])('%s=%s', (name, value) => {
    const list = problems({ [name]: value });
    expect(list.length).toBeGreaterThan(0);
    for (const p of list) expect(p.startsWith(`${name}: `), p).toBe(true);
  });

  it('duplicate prefixes: the problem names the colliding variables', () => {
    const list = problems({ GATEHOUSE_ACCESS_TOKEN_PREFIX: 'sk_' });
    expect(list).toHaveLength(1);
    expect(list[0]).toContain('GATEHOUSE_API_KEY_PREFIX');
    expect(list[0]).toContain('GATEHOUSE_ACCESS_TOKEN_PREFIX');
  });

  it('only one of the TLS certificate and key', () => {
    for (const env of [{ GATEHOUSE_TLS_CERT: join(dir, 'cert.pem') }, { GATEHOUSE_TLS_KEY: join(dir, 'key.pem') }]) {
      const list = problems(env);
      expect(list).toHaveLength(1);
      expect(list[0]).toContain('GATEHOUSE_TLS_CERT');
      expect(list[0]).toContain('GATEHOUSE_TLS_KEY');
    }
  });

  it('unreadable TLS files are reported, not thrown raw', () => {
    const list = problems({ GATEHOUSE_TLS_CERT: join(dir, 'nope.pem'), GATEHOUSE_TLS_KEY: join(dir, 'nope.key') });
    expect(list[0]).toMatch(/GATEHOUSE_TLS_CERT/);
  });

  it('reports every problem together', () => {
    const list = problems({ PORT: 'abc', GATEHOUSE_SIGNUP: 'maybe', DATABASE_URL: 'mysql://db' });
    expect(list.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'GATEHOUSE_SIGNUP', 'PORT']);
  });
});

describe('metrics and shutdown settings', () => {
  it('leave metrics off and give in-flight requests 10 s at shutdown by default', () => {
    const c = loadConfig({});
    expect(c.metricsToken).toBeNull();
    expect(c.shutdownTimeoutMs).toBe(10_000);
  });

  it('take a metrics token usable as a bearer token, and a shutdown timeout in seconds', () => {
    const c = loadConfig({ GATEHOUSE_METRICS_TOKEN: 'abcDEF0123456789-._~+/==', GATEHOUSE_SHUTDOWN_TIMEOUT_SECONDS: '30' });
    expect(c.metricsToken).toBe('abcDEF0123456789-._~+/==');
    expect(c.shutdownTimeoutMs).toBe(30_000);
    expect(loadConfig({ GATEHOUSE_SHUTDOWN_TIMEOUT_SECONDS: '0' }).shutdownTimeoutMs).toBe(0);
  });

  it('refuse a short or unsendable metrics token by name, without repeating it', () => {
    for (const token of ['short-token', 'has spaces in it 0123456789', 'quote"0123456789abcdef']) {
      const list = problems({ GATEHOUSE_METRICS_TOKEN: token });
      expect(list).toHaveLength(1);
      expect(list[0]).toMatch(/^GATEHOUSE_METRICS_TOKEN: /);
      expect(list[0]).not.toContain(token);
    }
    expect(problems({ GATEHOUSE_SHUTDOWN_TIMEOUT_SECONDS: '601' })[0]).toMatch(/^GATEHOUSE_SHUTDOWN_TIMEOUT_SECONDS: /);
    expect(problems({ GATEHOUSE_SHUTDOWN_TIMEOUT_SECONDS: 'soon' })[0]).toMatch(/^GATEHOUSE_SHUTDOWN_TIMEOUT_SECONDS: /);
  });
});

describe('loadConfig Redis settings', () => {
  it('leave Redis off by default, with the gatehouse: key prefix', () => {
    const c = loadConfig({});
    expect(c.redisUrl).toBeNull();
    expect(c.redisPrefix).toBe('gatehouse:');
  });

  it('take REDIS_URL (redis:// or rediss://, a password allowed) and a key prefix', () => {
    const c = loadConfig({ REDIS_URL: 'rediss://:p%40ss@cache.internal:6380/2', GATEHOUSE_REDIS_PREFIX: 'acme-prod:' });
    expect(c.redisUrl).toBe('rediss://:p%40ss@cache.internal:6380/2');
    expect(c.redisPrefix).toBe('acme-prod:');
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('refuse another scheme by name, without repeating the URL (it may hold a password)', () => {
    const list = problems({ REDIS_URL: 'http://user:hunter2@cache:6379' });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^REDIS_URL: /);
    expect(list[0]).not.toContain('hunter2');
    expect(problems({ GATEHOUSE_REDIS_PREFIX: 'has space' })[0]).toMatch(/^GATEHOUSE_REDIS_PREFIX: /);
  });
});
