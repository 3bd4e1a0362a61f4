/**
 * Requests Node refuses before the app sees them (headers over its limit, an unparsable
 * request line) still get the documented error body, `{"detail", "status_code", "extra"}`, and
 * the connection is closed. Only the status line is known here (no path): every surface gets
 * this shape, the OAuth endpoints included. The same holds for a request Node parsed but the
 * adapter cannot turn into a web Request (a Host header that is no host, such as
 * `evil.example/../x`, `[::1` or `h:99999`): 400 with this body instead of an empty one.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const STATUS: Record<number, string> = { 400: 'Bad Request', 431: 'Request Header Fields Too Large' };

function answer(socket: Duplex, status: 400 | 431, detail: string): void {
  const body = JSON.stringify({ detail, status_code: status, extra: {} });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset or a half-written response leaves nothing to answer on.
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    if (err.code === 'HPE_HEADER_OVERFLOW') answer(socket, 431, 'Request headers are too large');
    else answer(socket, 400, 'Malformed HTTP request');
  });
}

const json = (status: 400 | 500, detail: string) =>
  new Response(JSON.stringify({ detail, status_code: status, extra: {} }), { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });

/** The adapter's error handler: its RequestError is the client's fault (400); anything else a generic 500. */
export function unreadableRequest(err: unknown): Response {
  return err instanceof Error && err.name === 'RequestError' ? json(400, 'Malformed HTTP request') : json(500, 'Internal server error');
}
