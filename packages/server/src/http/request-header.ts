/**
 * A request header by lower-case name. Behind @hono/node-server it is read from Node's parsed
 * headers: asking the web Request instead builds a whole `Headers` object first, a cost every
 * hot-path request would pay for one value. Elsewhere (`app.request` in tests) the web Request
 * answers. Node keeps the first of duplicated singleton headers such as Authorization and joins
 * the others with ", ", as a web `Headers` does.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = nodeRequest(c);
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Node's request, when the app runs behind @hono/node-server. */
export function nodeRequest(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}
