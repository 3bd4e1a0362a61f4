/**
 * `gatehouse login`: the OAuth authorization code flow for a command-line user (RFC 8252, native
 * apps). It listens on a loopback port, opens (or prints) the authorization URL, catches the
 * redirect, checks `state` and `iss`, exchanges the code with PKCE, and stores the tokens in a
 * file only the user can read. The app must be a public app with the loopback redirect URI
 * `http://127.0.0.1/callback` registered (any port is accepted for loopback).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { GatehouseOAuth } from '@gatehouse/client';
import type { TokenSet, TokenStore } from '@gatehouse/client';
import type { Config } from '../config.js';
import { parseDuration } from '../core/clock.js';
import { type CliIO, UsageError } from './io.js';
import { parse, str } from './commands.js';

/** Tokens in a JSON file with mode 0600 (directory 0700). */
export class FileTokenStore implements TokenStore {
  constructor(readonly path: string) {}

  async get(): Promise<TokenSet | undefined> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as TokenSet;
    } catch {
      return undefined;
    }
  }

  async set(tokens: TokenSet): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await writeFile(this.path, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
    await chmod(this.path, 0o600);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

export function defaultStorePath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'gatehouse', 'credentials.json');
}

const PAGE = (message: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Gatehouse</title></head><body><p>${message}</p></body></html>`;

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    spawn(command, [url], { detached: true, stdio: 'ignore' }).on('error', () => {}).unref();
  } catch {
    // No browser opener: the URL is printed anyway.
  }
}

export async function loginCommand(config: Config, io: CliIO, args: string[]): Promise<void> {
  const p = parse(args, {
    'client-id': { type: 'string' },
    scopes: { type: 'string' },
    url: { type: 'string' },
    store: { type: 'string' },
    timeout: { type: 'string' },
    'no-open': { type: 'boolean' },
  });
  const clientId = str(p, 'client-id');
  if (!clientId) throw new UsageError('missing --client-id (a public app with redirect URI http://127.0.0.1/callback)');
  const timeoutMs = parseDuration(str(p, 'timeout') ?? '5m');
  if (timeoutMs === undefined || timeoutMs === 0) throw new UsageError('--timeout takes a duration such as 90s or 5m');
  const issuer = str(p, 'url') ?? io.env.GATEHOUSE_URL ?? config.issuer;
  const store = new FileTokenStore(str(p, 'store') ?? defaultStorePath(io.env));

  let server: Server | undefined;
  try {
    let deliver: (url: URL) => void = () => {};
    const callback = new Promise<URL>((resolve) => {
      deliver = resolve;
    });
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(PAGE(url.searchParams.has('error') ? 'Sign-in did not complete. Return to your terminal.' : 'Signed in. You can close this tab.'));
      deliver(url);
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const oauth = new GatehouseOAuth({ issuer, clientId, redirectUri, store, ...(str(p, 'scopes') ? { scope: str(p, 'scopes')!.split(',').join(' ') } : {}) });
    const request = await oauth.authorizationUrl();
    io.err(`Open this URL to sign in (waiting up to ${Math.round(timeoutMs / 1000)} s):\n${request.url}`);
    if (!p.values['no-open']) openBrowser(request.url);

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out waiting for the browser to come back')), timeoutMs);
    });
    try {
      const returned = await Promise.race([callback, timeout]);
      const tokens = await oauth.handleCallback(`${redirectUri}${returned.search}`, request);
      const result = { signed_in: true, scope: tokens.scope, expires_at: new Date(tokens.expiresAt).toISOString(), store: store.path };
      io.out(p.values.json ? JSON.stringify(result) : `signed in (${tokens.scope}); tokens stored in ${store.path}`);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    server?.closeAllConnections();
    server?.close();
  }
}
