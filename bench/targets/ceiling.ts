/**
 * The ceiling: a trivial JSON route on the same HTTP stack as Gatehouse (Hono on
 * @hono/node-server), answering the same path and body as an empty `GET /v1/agents`.
 * Gatehouse cannot beat it; every verify scenario is reported as a fraction of it.
 * Run as a child process: PORT selects the port.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/v1/agents', (c) => c.json({ data: [] }));
app.get('/healthz', (c) => c.json({ status: 'ok' }));

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' });
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
