/**
 * `gatehouse token --key-id ID --scopes read,write [--url URL]`: a key-pair exchange over HTTP
 * (`POST /v0/auth`) for scripts and agents. The secret comes only from `GATEHOUSE_KEY_SECRET`:
 * argv is visible in `ps` and shell history. The response body is printed exactly as the
 * server sent it (agents are told to pass it through verbatim); an error body goes to standard
 * error with exit code 1. Unlike the other commands, this one talks to a running server, not to
 * the database.
 */
import type { Config } from '../config.js';
import { parse, str } from './commands.js';
import { type CliIO, UsageError } from './io.js';

export const SECRET_ENV = 'GATEHOUSE_KEY_SECRET';
export const URL_ENV = 'GATEHOUSE_URL';

const USAGE = `usage: ${SECRET_ENV}=sk_… gatehouse token --key-id ID --scopes read,write [--url URL]`;

/** `--url`, else `GATEHOUSE_URL`, else the configured issuer; an http(s) URL without a trailing slash. */
function baseUrl(config: Config, io: CliIO, flag: string | undefined): string {
  const raw = flag ?? (io.env[URL_ENV] || undefined) ?? config.issuer;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${flag !== undefined ? '--url' : URL_ENV} must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be an http(s) URL, got "${raw}"`);
  if (url.search || url.hash) throw new UsageError('--url must not have a query or fragment');
  return url.href.replace(/\/+$/, '');
}

/** Scopes as a comma- (or space-) separated list. */
function parseScopes(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Returns the exit code: 0 on 200, 1 on an error response or a network failure (2 is thrown as UsageError). */
export async function tokenCommand(config: Config, io: CliIO, args: string[]): Promise<number> {
  const p = parse(args, { 'key-id': { type: 'string' }, scopes: { type: 'string' }, url: { type: 'string' } });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"\n${USAGE}`);
  const keyId = str(p, 'key-id');
  if (!keyId) throw new UsageError(`missing --key-id\n${USAGE}`);
  const scopes = parseScopes(str(p, 'scopes') ?? '');
  if (scopes.length === 0) throw new UsageError(`missing --scopes (at least one scope, e.g. --scopes read)\n${USAGE}`);
  const secret = io.env[SECRET_ENV];
  if (!secret) {
    throw new UsageError(`${SECRET_ENV} is not set: export the key secret (sk_…) in the environment; it is never read from the command line`);
  }
  const endpoint = `${baseUrl(config, io, str(p, 'url'))}/v0/auth`;

  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ key_id: keyId, key_secret: secret, scopes }),
      redirect: 'error',
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    io.err(`error: cannot reach ${endpoint}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    return 1;
  }
  // The raw bytes, decoded as UTF-8 only: no parsing, so nothing is reordered or reformatted.
  const body = await res.text();
  if (res.status === 200) {
    io.out(body);
    return 0;
  }
  io.err(body || `error: ${endpoint} answered ${res.status} with an empty body`);
  return 1;
}
