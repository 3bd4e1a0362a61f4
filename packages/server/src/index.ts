/**
 * The server as a library: embed Gatehouse in a Node process instead of running the
 * `gatehouse` command. The client SDK and the verification library have their own entry
 * points: `gatehouse/client` and `gatehouse/verify`.
 */
export { type Config, ConfigError, loadConfig } from './config.js';
export { GatehouseError, type ErrorCode } from './core/errors.js';
export { createApp } from './http/app.js';
export type { Services } from './http/env.js';
export { type RunningServer, buildServices, startServer } from './server.js';
export { openStore } from './store/kysely-store.js';
export type { Store } from './store/store.js';
