/** Listening: runtime (built and started) → app → an HTTP(S) server, and an orderly close. */
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import { answerClientErrors } from './http/client-error.js';
import { type BuildOptions, type ServerRuntime, buildRuntime } from './runtime.js';

export interface RunningServer {
  url: string;
  runtime: ServerRuntime;
  close(): Promise<void>;
}

export async function startServer(config: Config, opts: BuildOptions = {}): Promise<RunningServer> {
  const runtime = await buildRuntime(config, opts);
  await runtime.start();
  const app = createApp(runtime);
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
  answerClientErrors(server as Server);
  const { port } = server.address() as AddressInfo;
  const scheme = config.tls ? 'https' : 'http';
  const url = `${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  runtime.log.info('listening', { url, issuer: config.issuer, database: runtime.store.kind });
  let closed = false;
  return {
    url,
    runtime,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
    },
  };
}
