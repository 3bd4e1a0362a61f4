/**
 * Requests Node refuses before the app runs: oversized headers get 431 and a malformed request
 * line 400, each with the documented JSON error body (not Node's bare status line), and the
 * server keeps serving. Sent over a raw socket: fetch would refuse to send such requests.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { useServer } from '../helpers/server.js';

function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

const parse = (response: string) => {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head, body: JSON.parse(body) as unknown };
};

describe.each(BACKENDS.slice(0, 1))('requests Node refuses on $name', (backend) => {
  const server = useServer(backend);

  it('headers over the limit: 431 with the documented error body', async (ctx) => {
    const s = server(ctx);
    const r = parse(await raw(s.url, `GET /v1/agents HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(r.status).toBe(431);
    expect(r.head).toMatch(/content-type: application\/json/i);
    expect(r.body).toEqual({ detail: 'Request headers are too large', status_code: 431, extra: {} });
  });

  it('a malformed request line: 400 with the documented error body; the server keeps answering', async (ctx) => {
    const s = server(ctx);
    const r = parse(await raw(s.url, 'NOT A REQUEST\r\n\r\n'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ detail: 'Malformed HTTP request', status_code: 400, extra: {} });
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });
});
