/**
 * Reads every request body once, bounded by `GATEHOUSE_MAX_BODY_BYTES`, before any route sees
 * it; routes then parse it (`c.req.json()`, `c.req.text()`, the validators) from that copy.
 *
 * Behind @hono/node-server the bytes come straight from Node's request stream: a web `Request`
 * with a body stream is built only when something asks for one, and building it cost more than
 * the rest of a token request. Elsewhere (tests calling `app.request`) the web body is read.
 * GET, HEAD and TRACE bodies are never read (a TRACE request carries none, RFC 9110 §9.3.8, and
 * the Fetch API cannot build one: rebuilding it would throw). An empty body is no body, whatever
 * `Content-Type` a client library adds to every request.
 */
import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { GatehouseError, invalidRequest } from '../core/errors.js';
import type { AppEnv } from './env.js';
import { nodeRequest, requestHeader } from './request-header.js';

const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);
const tooLarge = (max: number) => new GatehouseError('payload_too_large', `Request body is larger than ${max} bytes`);
const incomplete = () => invalidRequest('The request body ended early');

export function readBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const read: MiddlewareHandler<AppEnv> = async (c, next) => {
    const method = c.req.method;
    const incoming = nodeRequest(c);
    const declared = requestHeader(c, 'content-length');
    if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
    const bytes = incoming ? await fromNode(incoming, maxBytes) : await fromWeb(c.req.raw, maxBytes);
    if (bytes.length === 0 && requestHeader(c, 'content-type') !== undefined) {
      const headers = new Headers(c.req.raw.headers);
      headers.delete('content-type');
      c.req.raw = new Request(c.req.url, { method, headers });
    }
    // Hono keeps each parsed view of the body as a promise under its name (its type says otherwise);
    // routes read text or JSON, and other readers (a form parser) derive their view from the text.
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
    return next();
  };
  return (c, next) => (BODYLESS.has(c.req.method) ? next() : read(c, next));
}

function fromNode(incoming: IncomingMessage, max: number): Promise<Uint8Array> {
  if (incoming.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (fn: () => void) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      fn();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) done(() => reject(tooLarge(max)));
      else chunks.push(chunk);
    };
    const onEnd = () => done(() => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    const onError = () => done(() => reject(incomplete()));
    const onClose = () => done(() => reject(incomplete()));
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

async function fromWeb(request: Request, max: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
