/**
 * The same tiny API, protected by gatehouse/verify, in each framework the library adapts to —
 * each listening on a loopback port:
 *
 *   GET  /items                                 any valid credential (authenticate)
 *   POST /items                                 scope "write" (requireScopes alone)
 *   GET  /admin                                 authenticate, then requireScopes('admin')
 *   GET  /.well-known/oauth-protected-resource  RFC 9728 metadata, no credential
 *
 * Each protected route answers `{ credential }` as the handler sees it.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import {
  type AuthOptions,
  type HonoAuthEnv,
  type ProtectedResourceMetadata,
  type VerifiedCredential,
  type Verifier,
  expressAuth,
  fastifyAuth,
  honoAuth,
  nodeAuth,
} from '@gatehouse/verify';

declare module 'fastify' {
  interface FastifyRequest {
    credential?: VerifiedCredential;
  }
}

export interface ResourceServer {
  url: string;
  close(): Promise<void>;
}

export interface Adapter {
  name: 'hono' | 'express' | 'fastify' | 'node:http';
  mount(verifier: Verifier, options: AuthOptions, metadata: ProtectedResourceMetadata): Promise<ResourceServer>;
}

const METADATA_PATH = '/.well-known/oauth-protected-resource';

function listening(server: import('node:http').Server): Promise<ResourceServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

const hono: Adapter = {
  name: 'hono',
  async mount(verifier, options, metadata) {
    const auth = honoAuth(verifier, options);
    const app = new Hono<HonoAuthEnv>();
    app.onError((_err, c) => c.json({ detail: 'Internal server error', status_code: 500, extra: {} }, 500));
    app.get(METADATA_PATH, (c) => c.json(metadata));
    app.get('/items', auth.authenticate, (c) => c.json({ credential: c.get('credential') }));
    app.post('/items', auth.requireScopes('write'), (c) => c.json({ credential: c.get('credential') }, 201));
    app.use('/admin', auth.authenticate);
    app.get('/admin', auth.requireScopes('admin'), (c) => c.json({ credential: c.get('credential') }));
    return new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      });
    });
  },
};

const expressAdapter: Adapter = {
  name: 'express',
  async mount(verifier, options, metadata) {
    const auth = expressAuth(verifier, options);
    const app = express();
    app.get(METADATA_PATH, (_req, res) => {
      res.json(metadata);
    });
    app.get('/items', auth.authenticate, (req, res) => {
      res.json({ credential: req.credential });
    });
    app.post('/items', auth.requireScopes('write'), (req, res) => {
      res.status(201).json({ credential: req.credential });
    });
    app.use('/admin', auth.authenticate);
    app.get('/admin', auth.requireScopes('admin'), (req, res) => {
      res.json({ credential: req.credential });
    });
    return listening(createServer(app));
  },
};

const fastify: Adapter = {
  name: 'fastify',
  async mount(verifier, options, metadata) {
    const auth = fastifyAuth(verifier, options);
    const app = Fastify();
    app.get(METADATA_PATH, async () => metadata);
    app.get('/items', { preHandler: auth.authenticate }, async (request) => ({ credential: request.credential }));
    app.post('/items', { preHandler: auth.requireScopes('write') }, async (request, reply) => reply.code(201).send({ credential: request.credential }));
    app.register(async (admin) => {
      admin.addHook('preHandler', auth.authenticate);
      admin.get('/admin', { preHandler: auth.requireScopes('admin') }, async (request) => ({ credential: request.credential }));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
};

const node: Adapter = {
  name: 'node:http',
  async mount(verifier, options, metadata) {
    const auth = nodeAuth(verifier, options);
    const json = (res: ServerResponse, status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const route = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
      if (route === `GET ${METADATA_PATH}`) return json(res, 200, metadata);
      if (route === 'GET /items' || route === 'GET /admin') {
        const credential = await auth.authenticate(req, res, ...(route === 'GET /admin' ? ['admin'] : []));
        if (credential) json(res, 200, { credential });
        return;
      }
      if (route === 'POST /items') {
        const credential = await auth.authenticate(req, res, 'write');
        if (credential) json(res, 201, { credential });
        return;
      }
      json(res, 404, { detail: 'Not found', status_code: 404, extra: {} });
    };
    return listening(
      createServer((req, res) => {
        handle(req, res).catch(() => json(res, 500, { detail: 'Internal server error', status_code: 500, extra: {} }));
      }),
    );
  },
};

export const ADAPTERS = { hono, express: expressAdapter, fastify, node } as const;
