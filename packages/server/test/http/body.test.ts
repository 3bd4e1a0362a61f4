/**
 * Request bodies are read once, bounded, straight from Node's request stream (and from the web
 * body when the app is called without Node): split multi-byte characters survive, a declared or
 * streamed size over the limit is 413, an empty body with a Content-Type is no body, and a client
 * that vanishes mid-body costs nothing but its own request.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { sqlite } from '../helpers/backends.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

const LIMIT = 2048;

/** Sends `head` + each body part on its own write over a raw socket; resolves with the raw answer. */
function rawRequest(port: number, head: string, parts: Buffer[], opts: { abort?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.on('connect', async () => {
      socket.write(head);
      for (const part of parts) {
        await new Promise((r) => setTimeout(r, 20));
        socket.write(part);
      }
      if (opts.abort) socket.destroy();
    });
  });
}

describe('request bodies', () => {
  let secret = '';

  const getServer = useServer(sqlite, { env: { GATEHOUSE_MAX_BODY_BYTES: String(LIMIT) } }, async (server) => {
    const user = await seedUser(server);
    const seeded = await seedKey(server, user, ['read', 'write']);
    secret = seeded.secret;
  });

  const head = (path: string, extra: string) =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${secret}\r\nContent-Type: application/json\r\nConnection: close\r\n${extra}\r\n`;

  it('assembles a body sent in pieces, a character split between two of them', async (ctx) => {
    const server = getServer(ctx);
    const body = Buffer.from(JSON.stringify({ name: 'café ☕' }), 'utf8');
    const cut = body.indexOf(Buffer.from('☕')) + 1; // inside the three bytes of ☕
    const answer = await rawRequest(Number(new URL(server.url).port), head('/v1/agents', `Content-Length: ${body.length}\r\n`), [body.subarray(0, cut), body.subarray(cut)]);
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(answer).toContain('"name":"café ☕"');
  });

  it('answers 413 for a declared length over the limit without waiting for the body', async (ctx) => {
    const server = getServer(ctx);
    const answer = await rawRequest(Number(new URL(server.url).port), head('/v1/agents', `Content-Length: ${LIMIT + 1}\r\n`), []);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('answers 413 for a chunked body that grows over the limit', async (ctx) => {
    const server = getServer(ctx);
    const chunk = (s: string) => Buffer.from(`${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`);
    const big = `{"name":"${'x'.repeat(LIMIT)}"}`;
    const answer = await rawRequest(Number(new URL(server.url).port), head('/v1/agents', 'Transfer-Encoding: chunked\r\n'), [chunk(big.slice(0, 1000)), chunk(big.slice(1000)), Buffer.from('0\r\n\r\n')]);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('treats an empty body with a Content-Type as no body (a missing field, not malformed JSON)', async (ctx) => {
    const server = getServer(ctx);
    const res = await fetch(`${server.url}/v1/agents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json', 'Content-Length': '0' },
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('name');
  });

  it('keeps serving after a client disconnects in the middle of its body', async (ctx) => {
    const server = getServer(ctx);
    await rawRequest(Number(new URL(server.url).port), head('/v1/agents', 'Content-Length: 500\r\n'), [Buffer.from('{"name":')], { abort: true });
    const res = await fetch(`${server.url}/v1/agents`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(200);
    expect(server.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });

  it('reads the web body when the app is called without Node, with the same limit', async (ctx) => {
    const server = getServer(ctx);
    const app = createApp(server.runtime);
    const ok = await app.request('/v1/agents', { method: 'POST', headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' }, body: '{"name":"web"}' });
    expect(ok.status).toBe(201);
    const big = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`{"name":"${'y'.repeat(LIMIT)}"}`));
        controller.close();
      },
    });
    const tooBig = await app.request('/v1/agents', { method: 'POST', headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' }, body: big, duplex: 'half' } as RequestInit);
    expect(tooBig.status).toBe(413);
  });
});
