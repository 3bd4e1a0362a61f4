/**
 * Sends one hostile request exactly as written: node:http keeps odd methods, repeated headers,
 * a forged Host and unnormalized paths (fetch would clean them up or refuse); a `raw` request
 * goes over a bare socket for bytes no HTTP client will send (a NUL in the request line).
 * `inBatches` runs requests with bounded concurrency.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface HostileRequest {
  method: string;
  /** The request target as sent, query included. */
  path: string;
  /** Header pairs in order; a name may repeat. */
  headers?: Array<[string, string]>;
  body?: string;
  /** The whole request, sent byte for byte instead of the fields above. */
  raw?: string;
}

export interface HostileResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 10 });

export function send(baseUrl: string, req: HostileRequest): Promise<HostileResponse> {
  const url = new URL(baseUrl);
  if (req.raw !== undefined) return sendRaw(url, req.raw);
  return new Promise((resolve, reject) => {
    // Header pairs go out as given; node:http adds no Host to them, so one is added unless the row sets its own.
    const given = req.headers ?? [];
    const headers = given.some(([n]) => n.toLowerCase() === 'host') ? given.flat() : ['Host', url.host, ...given.flat()];
    if (req.body !== undefined && !given.some(([n]) => n.toLowerCase() === 'content-length')) {
      headers.push('Content-Length', String(Buffer.byteLength(req.body)));
    }
    const r = request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers: headers as unknown as Record<string, string>, agent });
    r.setTimeout(10_000, () => r.destroy(new Error('timed out after 10 s')));
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** One request on its own connection; the answer is read until the server closes it. */
function sendRaw(url: URL, raw: string): Promise<HostileResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('timed out after 10 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
      } catch (err) {
        reject(err);
      }
    });
    socket.end(Buffer.from(raw, 'latin1'));
  });
}

function parseResponse(text: string): HostileResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = text.slice(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status: Number(statusLine!.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    const size = Number.parseInt(text.slice(at, eol), 16);
    if (eol < 0 || !(size > 0)) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** Runs `fn` over `items`, at most `limit` at a time, results in order. */
export async function inBatches<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function closeConnections(): void {
  agent.destroy();
}
