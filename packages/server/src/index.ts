/**
 * The server as a library: embed Gatehouse in a Node process instead of running the
 * `gatehouse` command. The client SDK and the verification library have their own entry
 * points: `gatehouse/client` and `gatehouse/verify`.
 */
export { type Config, ConfigError, loadConfig } from './config.js';
export { GatehouseError, type ErrorCode } from './core/errors.js';
export { createApp } from './http/app.js';
export type { Limiter, RevocationBus, UsageSink } from './core/ports.js';
export type { Runtime } from './core/runtime.js';
export { type BuildOptions, type ServerRuntime, buildRuntime } from './runtime.js';
export { type RunningServer, startServer } from './server.js';
export { openStore } from './store/kysely-store.js';
export type { Store } from './store/store.js';
