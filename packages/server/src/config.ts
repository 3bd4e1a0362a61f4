/**
 * Configuration: environment variables over an optional JSON file (`GATEHOUSE_CONFIG`),
 * validated once at start. Every problem is reported together, by variable name.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { SignupMode } from './core/accounts.js';
import type { Prefixes } from './core/context.js';
import { DEFAULT_SCOPES, SCOPE_TOKEN } from './core/scopes.js';
import { SIGNING_ALGS, type SigningAlg } from './core/signing-keys.js';
import type { Level } from './log.js';
import type { StoreTarget } from './store/connect.js';

export interface Config {
  port: number;
  host: string;
  /** Public base URL, without a trailing slash. */
  issuer: string;
  /** True when the issuer is https: cookies get `Secure`, responses get HSTS. */
  secure: boolean;
  dataDir: string;
  database: StoreTarget;
  signup: SignupMode;
  scopes: Record<string, string>;
  prefixes: Prefixes;
  tls: { cert: string; key: string } | null;
  sampleApi: boolean;
  logLevel: Level;
  maxBodyBytes: number;
  trustProxy: boolean;
  keyCacheTtlMs: number;
  keyCacheMaxEntries: number;
  revocationPollMs: number;
  /** GATEHOUSE_SECRET, or null to use (and create) `<dataDir>/secret`. */
  secret: string | null;
  /** `aud` of issued JWTs. */
  audience: string;
  jwtTtlSeconds: number;
  signingAlg: SigningAlg;
  rotationDelaySeconds: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshTokenIdleSeconds: number;
  /** Browser origins allowed to call the token endpoints and the JSON APIs (never /oauth/authorize). */
  corsOrigins: string[];
  /** Bearer token that `GET /metrics` requires; null: metrics are off and `/metrics` is a 404. */
  metricsToken: string | null;
  /** How long a stopping server lets in-flight requests finish before closing their connections. */
  shutdownTimeoutMs: number;
  /** Redis for what instances share (throttle counters, revocation messages), or null: in-process and the store poll. */
  redisUrl: string | null;
  /** Prepended to every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Environment variable → key in the JSON config file. */
export const ENV_KEYS = {
  PORT: 'port',
  HOST: 'host',
  GATEHOUSE_ISSUER: 'issuer',
  DATABASE_URL: 'databaseUrl',
  GATEHOUSE_DATA_DIR: 'dataDir',
  GATEHOUSE_SIGNUP: 'signup',
  GATEHOUSE_SCOPES: 'scopes',
  GATEHOUSE_API_KEY_PREFIX: 'apiKeyPrefix',
  GATEHOUSE_ACCESS_TOKEN_PREFIX: 'accessTokenPrefix',
  GATEHOUSE_REFRESH_TOKEN_PREFIX: 'refreshTokenPrefix',
  GATEHOUSE_CLIENT_SECRET_PREFIX: 'clientSecretPrefix',
  GATEHOUSE_TLS_CERT: 'tlsCert',
  GATEHOUSE_TLS_KEY: 'tlsKey',
  GATEHOUSE_SAMPLE_API: 'sampleApi',
  GATEHOUSE_LOG_LEVEL: 'logLevel',
  GATEHOUSE_MAX_BODY_BYTES: 'maxBodyBytes',
  GATEHOUSE_TRUST_PROXY: 'trustProxy',
  GATEHOUSE_KEY_CACHE_TTL_MS: 'keyCacheTtlMs',
  GATEHOUSE_KEY_CACHE_MAX_ENTRIES: 'keyCacheMaxEntries',
  GATEHOUSE_REVOCATION_POLL_MS: 'revocationPollMs',
  GATEHOUSE_SECRET: 'secret',
  GATEHOUSE_AUDIENCE: 'audience',
  GATEHOUSE_JWT_TTL_SECONDS: 'jwtTtlSeconds',
  GATEHOUSE_SIGNING_ALG: 'signingAlg',
  GATEHOUSE_ROTATION_DELAY_SECONDS: 'rotationDelaySeconds',
  GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS: 'accessTokenTtlSeconds',
  GATEHOUSE_REFRESH_TOKEN_TTL_SECONDS: 'refreshTokenTtlSeconds',
  GATEHOUSE_REFRESH_TOKEN_IDLE_SECONDS: 'refreshTokenIdleSeconds',
  GATEHOUSE_CORS_ORIGINS: 'corsOrigins',
  GATEHOUSE_METRICS_TOKEN: 'metricsToken',
  GATEHOUSE_SHUTDOWN_TIMEOUT_SECONDS: 'shutdownTimeoutSeconds',
  REDIS_URL: 'redisUrl',
  GATEHOUSE_REDIS_PREFIX: 'redisPrefix',
} as const;

type FileKey = (typeof ENV_KEYS)[keyof typeof ENV_KEYS];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const prefix = z.string().regex(/^[a-z][a-z0-9]{0,15}_$/, 'must be lowercase letters/digits ending in "_", e.g. sk_');
const scopeMap = z.record(z.string().regex(SCOPE_TOKEN, 'scope names are RFC 6749 scope tokens'), z.string().min(1).max(200));

const schema = z.object({
  port: int(0, 65535).default(8080),
  host: z.string().min(1).default('127.0.0.1'),
  issuer: z.url({ protocol: /^https?$/ }).optional(),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (omit it for SQLite)').optional(),
  dataDir: z.string().min(1).default('./data'),
  signup: z.enum(['open', 'invite', 'closed']).default('open'),
  scopes: z
    .union([z.string().transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of scope → description' });
        return z.NEVER;
      }
    }), z.record(z.string(), z.unknown())])
    .pipe(scopeMap)
    .refine((m) => Object.keys(m).length > 0, 'at least one scope is required')
    .default({ ...DEFAULT_SCOPES }),
  apiKeyPrefix: prefix.default('sk_'),
  accessTokenPrefix: prefix.default('at_'),
  refreshTokenPrefix: prefix.default('rt_'),
  clientSecretPrefix: prefix.default('cs_'),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  sampleApi: bool.default(true),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  maxBodyBytes: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  trustProxy: bool.default(false),
  keyCacheTtlMs: int(0, 3_600_000).default(60_000),
  keyCacheMaxEntries: int(1, 10_000_000).default(100_000),
  revocationPollMs: int(50, 60_000).default(250),
  secret: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)').optional(),
  audience: z.string().min(1).optional(),
  jwtTtlSeconds: int(60, 86_400).default(900),
  signingAlg: z.enum(SIGNING_ALGS).default('ES256'),
  rotationDelaySeconds: int(0, 7 * 86_400).default(600),
  accessTokenTtlSeconds: int(60, 86_400).default(3600),
  refreshTokenTtlSeconds: int(3600, 366 * 86_400).default(90 * 86_400),
  refreshTokenIdleSeconds: int(3600, 366 * 86_400).default(30 * 86_400),
  corsOrigins: z
    .union([z.string().transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean)), z.array(z.string())])
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin is scheme://host[:port], without a path')))
    .default([]),
  // RFC 6750 b64token characters, so it can be sent as `Authorization: Bearer <token>` as is.
  metricsToken: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)')
    .max(512)
    .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'may contain only letters, digits and -._~+/ (then optional =)')
    .optional(),
  shutdownTimeoutSeconds: int(0, 600).default(10),
  // The message never repeats the value: the URL may hold a password.
  redisUrl: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').optional(),
  redisPrefix: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 letters, digits or :_.-').default('gatehouse:'),
});

const fileKeys = new Set<string>(Object.values(ENV_KEYS));
const envFor = Object.fromEntries(Object.entries(ENV_KEYS).map(([env, key]) => [key, env])) as Record<FileKey, string>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  let file: Record<string, unknown> = {};
  if (env.GATEHOUSE_CONFIG) {
    try {
      const parsed = JSON.parse(readFileSync(env.GATEHOUSE_CONFIG, 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      file = parsed as Record<string, unknown>;
      for (const k of Object.keys(file)) if (!fileKeys.has(k)) problems.push(`GATEHOUSE_CONFIG: unknown key "${k}"`);
    } catch (err) {
      problems.push(`GATEHOUSE_CONFIG: cannot read a JSON object from the file (${(err as Error).message})`);
    }
  }
  const raw: Record<string, unknown> = { ...file };
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      problems.push(`${envFor[key as FileKey] ?? key}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  const c = result.data;
  const prefixes = { apiKey: c.apiKeyPrefix, accessToken: c.accessTokenPrefix, refreshToken: c.refreshTokenPrefix, clientSecret: c.clientSecretPrefix };
  const byPrefix = new Map<string, string[]>();
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    if (!key.endsWith('Prefix')) continue;
    const value = c[key as 'apiKeyPrefix'];
    byPrefix.set(value, [...(byPrefix.get(value) ?? []), name]);
  }
  for (const [value, names] of byPrefix) {
    if (names.length > 1) problems.push(`${names.join(', ')}: credential prefixes must all differ (all are "${value}")`);
  }
  if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) problems.push('GATEHOUSE_TLS_CERT and GATEHOUSE_TLS_KEY must be set together');
  let tls: Config['tls'] = null;
  if (c.tlsCert && c.tlsKey) {
    try {
      tls = { cert: readFileSync(c.tlsCert, 'utf8'), key: readFileSync(c.tlsKey, 'utf8') };
    } catch (err) {
      problems.push(`GATEHOUSE_TLS_CERT/GATEHOUSE_TLS_KEY: cannot read the PEM files (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const scheme = tls ? 'https' : 'http';
  const issuer = (c.issuer ?? `${scheme}://localhost:${c.port}`).replace(/\/+$/, '');
  const dataDir = resolve(c.dataDir);
  return {
    port: c.port,
    host: c.host,
    issuer,
    secure: issuer.startsWith('https:'),
    dataDir,
    database: c.databaseUrl ? { postgresUrl: c.databaseUrl } : { sqlitePath: resolve(dataDir, 'gatehouse.db') },
    signup: c.signup,
    scopes: c.scopes,
    prefixes,
    tls,
    sampleApi: c.sampleApi,
    logLevel: c.logLevel,
    maxBodyBytes: c.maxBodyBytes,
    trustProxy: c.trustProxy,
    keyCacheTtlMs: c.keyCacheTtlMs,
    keyCacheMaxEntries: c.keyCacheMaxEntries,
    revocationPollMs: c.revocationPollMs,
    secret: c.secret ?? null,
    audience: c.audience ?? issuer,
    jwtTtlSeconds: c.jwtTtlSeconds,
    signingAlg: c.signingAlg,
    rotationDelaySeconds: c.rotationDelaySeconds,
    accessTokenTtlSeconds: c.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: c.refreshTokenTtlSeconds,
    refreshTokenIdleSeconds: c.refreshTokenIdleSeconds,
    corsOrigins: c.corsOrigins,
    metricsToken: c.metricsToken ?? null,
    shutdownTimeoutMs: c.shutdownTimeoutSeconds * 1000,
    redisUrl: c.redisUrl ?? null,
    redisPrefix: c.redisPrefix,
  };
}
