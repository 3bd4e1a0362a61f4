/**
 * Composition, built once: config → store (migrated) → ports → services. Routes, core
 * functions and the CLI all receive this one object. Which implementation backs each port is
 * decided here and nowhere else.
 */
import { BatchedUsageSink } from './adapters/memory/usage-sink.js';
import { MemoryLimiter } from './adapters/memory/limiter.js';
import { PrometheusMetrics } from './adapters/prometheus/metrics.js';
import { PollingRevocationBus } from './adapters/poll/revocation-bus.js';
import { closeRedis, connectRedis, whenReady } from './adapters/redis/connection.js';
import { RedisLimiter } from './adapters/redis/limiter.js';
import { RedisRevocationBus } from './adapters/redis/revocation-bus.js';
import type { Config } from './config.js';
import type { Limiter, RevocationBus } from './core/ports.js';
import { type Clock, systemClock } from './core/clock.js';
import { JwtMemo } from './core/jwt-memo.js';
import { KeyVerifier } from './core/key-verifier.js';
import { type Metrics, noMetrics } from './core/metrics.js';
import { Keyset } from './core/keyset.js';
import { AccessTokenVerifier } from './core/oauth/access-token-verifier.js';
import { ClientCache } from './core/oauth/client-cache.js';
import type { Runtime } from './core/runtime.js';
import { createRegistry } from './core/scopes.js';
import { SecretBox } from './core/secret-box.js';
import { type Logger, createLogger, describeError } from './log.js';
import { loadServerSecret } from './server-secret.js';
import { openStore } from './store/kysely-store.js';
import type { Store } from './store/store.js';

export interface BuildOptions {
  clock?: Clock;
  logger?: Logger;
  store?: Store;
}

export interface ServerRuntime extends Runtime {
  /** Loads the signing keys (the first start of a deployment creates one), starts polls and flushes. */
  start(): Promise<void>;
  /** Stops background work, flushes pending usage, closes the store. Idempotent. */
  close(): Promise<void>;
}

const USAGE_FLUSH_MS = 5_000;
const KEYSET_REFRESH_MS = 10_000;
const REDIS_START_WAIT_MS = 2_000;

export async function buildRuntime(config: Config, opts: BuildOptions = {}): Promise<ServerRuntime> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.logLevel);
  const store = opts.store ?? openStore(config.database);
  await store.migrate();

  const usage = new BatchedUsageSink(
    { api_key: (batch) => store.apiKeys.recordUsage(batch), grant: (batch) => store.oauth.grants.recordUsage(batch) },
    USAGE_FLUSH_MS,
    log,
  );
  const poll = new PollingRevocationBus(store, config.revocationPollMs, log);
  // With REDIS_URL: counters in Redis, revocations over its pub/sub with the store poll beneath;
  // one connection for commands, one for the subscription. Without it: in-process and the poll.
  const redis = config.redisUrl
    ? { commands: connectRedis(config.redisUrl, 'commands', log), subscriber: connectRedis(config.redisUrl, 'subscriber', log) }
    : null;
  const limiter: Limiter = redis ? new RedisLimiter(redis.commands, clock, config.redisPrefix, log) : new MemoryLimiter(clock);
  const revocations: RevocationBus = redis ? new RedisRevocationBus(poll, redis.commands, redis.subscriber, config.redisPrefix, log) : poll;
  const cache = { ttl: config.keyCacheTtlMs, max: config.keyCacheMaxEntries };
  const apiKeys = new KeyVerifier(store, clock, usage, { prefix: config.prefixes.apiKey, cacheTtlMs: cache.ttl, cacheMaxEntries: cache.max });
  const accessTokens = new AccessTokenVerifier(store.oauth, clock, usage, config.prefixes.accessToken, cache.ttl, cache.max);
  const clients = new ClientCache(store.oauth, clock, cache.ttl, cache.max);
  for (const verifier of [apiKeys, accessTokens, clients]) revocations.subscribe((id) => verifier.invalidate(id));
  // Off unless a token protects /metrics: then nothing is counted and the hot path pays an empty call.
  const metrics: Metrics = config.metricsToken
    ? new PrometheusMetrics({
        caches: { api_key: () => apiKeys.cacheStats, access_token: () => accessTokens.cacheStats, client: () => clients.cacheStats },
        pool: () => store.poolStats(),
      })
    : noMetrics;

  // The secret is read on first use: a CLI command that never seals a key needs none.
  const box = new SecretBox(() => loadServerSecret(config));
  const keyset = new Keyset({ store, clock }, box, {
    alg: config.signingAlg,
    maxTokenTtlMs: Math.max(config.jwtTtlSeconds, config.accessTokenTtlSeconds) * 1000,
    refreshMs: KEYSET_REFRESH_MS,
  });

  let state: 'built' | 'started' | 'closed' = 'built';
  return {
    config,
    log,
    store,
    clock,
    scopes: createRegistry(config.scopes),
    limiter,
    revocations,
    usage,
    apiKeys,
    accessTokens,
    clients,
    jwtMemo: new JwtMemo(),
    box,
    keyset,
    metrics,
    async start() {
      if (state !== 'built') return;
      state = 'started';
      await keyset.init({ type: 'system', id: null, user: null, ip: null });
      keyset.start((err) => log.warn('signing keyset refresh failed', describeError(err)));
      // Redis down at start: the server starts anyway (throttles fail open until it is back).
      if (redis && !(await whenReady(redis.commands, REDIS_START_WAIT_MS))) log.warn('redis unreachable at start; retrying in the background');
      await revocations.start();
      await usage.start();
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      keyset.stop();
      await revocations.stop();
      if (redis) await Promise.all([closeRedis(redis.commands), closeRedis(redis.subscriber)]);
      await usage.stop().catch((err) => log.warn('final usage flush failed', describeError(err)));
      await store.close();
    },
  };
}
