/**
 * Listening: runtime (built and started) → app → an HTTP(S) server, and an orderly close that
 * drains: no new connection is accepted, requests in flight may finish (within
 * `config.shutdownTimeoutMs`, after which their connections are cut), then the runtime closes
 * (pending usage written, the store closed).
 */
import { createServer as createHttpsServer } from 'node:https';
import { type IncomingMessage, type Server, type ServerResponse, createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import { answerClientErrors, unreadableRequest } from './http/client-error.js';
import { type BuildOptions, type ServerRuntime, buildRuntime } from './runtime.js';
import { startupSummary } from './startup-summary.js';

export interface RunningServer {
  url: string;
  runtime: ServerRuntime;
  /** Stops accepting connections, lets requests in flight finish (bounded), then closes the runtime. Idempotent. */
  close(): Promise<void>;
}

/** How often idle keep-alive connections are closed while draining. */
const DRAIN_POLL_MS = 50;

export async function startServer(config: Config, opts: BuildOptions = {}): Promise<RunningServer> {
  const runtime = await buildRuntime(config, opts);
  await runtime.start();
  const app = createApp(runtime);
  // The listener @hono/node-server's `serve` would build, plus the documented body for requests
  // it cannot turn into a web Request (a Host header that is not a host).
  const listener = getRequestListener(app.fetch, { hostname: config.host, errorHandler: unreadableRequest });
  const server = (config.tls ? createHttpsServer({ key: config.tls.key, cert: config.tls.cert }, listener) : createHttpServer(listener)) as Server;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  answerClientErrors(server);
  const { port } = server.address() as AddressInfo;
  const scheme = config.tls ? 'https' : 'http';
  const url = `${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  runtime.log.info('listening', startupSummary(config, url));
  let closing: Promise<void> | undefined;
  return {
    url,
    runtime,
    close() {
      closing ??= (async () => {
        runtime.log.info('stopping: finishing requests in flight', { timeout_ms: config.shutdownTimeoutMs });
        await drain(server, config.shutdownTimeoutMs);
        await runtime.close();
        runtime.log.info('stopped');
      })();
      return closing;
    },
  };
}

/**
 * Closes the listening socket and waits for every connection to end. A keep-alive connection
 * stays open after its response, so idle ones are closed as they become idle, and a request
 * arriving during the drain is answered with `Connection: close`. After `timeoutMs`, whatever
 * is still open is cut.
 */
async function drain(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const noKeepAlive = (_req: IncomingMessage, res: ServerResponse) => {
    res.shouldKeepAlive = false;
  };
  server.on('request', noKeepAlive);
  server.closeIdleConnections();
  const poll = setInterval(() => server.closeIdleConnections(), DRAIN_POLL_MS);
  const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
  try {
    await closed;
  } finally {
    clearInterval(poll);
    clearTimeout(cut);
    server.off('request', noKeepAlive);
  }
}
