/** Wiring: config → store (migrated) → services → app → a listening HTTP(S) server. */
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Config } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import type { CoreContext } from './core/context.js';
import { KeyVerifier } from './core/key-verifier.js';
import { JwtMemo } from './core/jwt-memo.js';
import { Keyset } from './core/keyset.js';
import { AccessTokenVerifier } from './core/oauth/access-token-verifier.js';
import { ClientCache } from './core/oauth/client-cache.js';
import { SecretBox } from './core/secret-box.js';
import { createRegistry } from './core/scopes.js';
import { Throttle } from './core/throttle.js';
import { createApp } from './http/app.js';
import type { Services } from './http/env.js';
import { type Logger, createLogger, describeError } from './log.js';
import { loadServerSecret } from './server-secret.js';
import { openStore } from './store/kysely-store.js';
import type { Store } from './store/store.js';

export interface BuildOptions {
  clock?: Clock;
  logger?: Logger;
  store?: Store;
}

/** Opens and migrates the store and builds every service; nothing listens yet. */
export async function buildServices(config: Config, opts: BuildOptions = {}): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.logLevel);
  const store = opts.store ?? openStore(config.database);
  await store.migrate();
  const keys = new KeyVerifier(
    store,
    clock,
    {
      prefix: config.prefixes.apiKey,
      cacheTtlMs: config.keyCacheTtlMs,
      cacheMaxEntries: config.keyCacheMaxEntries,
      pollMs: config.revocationPollMs,
      usageFlushMs: 5_000,
    },
    log,
  );
  const clients = new ClientCache(store.oauth, clock, config.keyCacheTtlMs, config.keyCacheMaxEntries);
  keys.subscribe((id) => clients.invalidate(id));
  const core: CoreContext = {
    store,
    clock,
    scopes: createRegistry(config.scopes),
    prefixes: config.prefixes,
    clients,
    credentialChanged: (keyId) => keys.invalidate(keyId),
  };
  await keys.start();
  const box = new SecretBox(loadServerSecret(config));
  const accessTokens = new AccessTokenVerifier(store.oauth, clock, config.prefixes.accessToken, config.keyCacheTtlMs, config.keyCacheMaxEntries);
  keys.subscribe((id) => accessTokens.invalidate(id));

  const keyset = new Keyset(core, box, {
    alg: config.signingAlg,
    maxTokenTtlMs: Math.max(config.jwtTtlSeconds, config.accessTokenTtlSeconds) * 1000,
    refreshMs: 10_000,
  });
  await keyset.init({ type: 'system', id: null, user: null, ip: null });
  keyset.start((err) => log.warn('signing keyset refresh failed', describeError(err)));
  const usage = setInterval(() => accessTokens.flushUsage().catch((err) => log.warn('grant usage flush failed', describeError(err))), 5_000);
  usage.unref();
  return { config, core, keys, keyset, jwtMemo: new JwtMemo(), accessTokens, box, throttle: new Throttle(clock), log, stop: () => clearInterval(usage) };
}

export interface RunningServer {
  url: string;
  services: Services;
  close(): Promise<void>;
}

export async function startServer(config: Config, opts: BuildOptions = {}): Promise<RunningServer> {
  const services = await buildServices(config, opts);
  const app = createApp(services);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        ...(config.tls ? { createServer: createHttpsServer, serverOptions: { key: config.tls.key, cert: config.tls.cert } } : {}),
      },
      () => resolve(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  const scheme = config.tls ? 'https' : 'http';
  const url = `${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  services.log.info('listening', { url, issuer: config.issuer, database: services.core.store.kind });
  let closed = false;
  return {
    url,
    services,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      services.keyset.stop();
      services.stop();
      await services.accessTokens.flushUsage().catch((err) => services.log.warn('final grant usage flush failed', describeError(err)));
      await services.keys.stop().catch((err) => services.log.warn('final usage flush failed', describeError(err)));
      await services.core.store.close();
    },
  };
}
