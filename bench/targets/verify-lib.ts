/**
 * verify-lib: offline JWT checks per second, run as a child pinned to core 0, on one ES256
 * token issued by Gatehouse's own signing code (RFC 9068 claims, `typ: at+jwt`):
 *  - `node:crypto`: the floor — raw ECDSA verification plus decoding the payload, no claim checks;
 *  - `jose`: `jwtVerify` with a local key and Gatehouse's claim checks;
 *  - `gatehouse/verify`: the resource-server library (`createVerifier`), keys served from memory,
 *    its memo of verified tokens off, so every check verifies the signature (the goal's row);
 *  - `gatehouse/verify (memo)`: the same with the memo on, as a client resending one token sees it;
 *  - `server core`: `verifyAccessToken`, what the server itself runs for JWTs on /v1.
 * `gatehouse/verify` is imported at run time: a checkout without it reports those rows pending.
 * Prints one JSON line: { rows: LibResult[], pending: {variant, reason}[] }.
 * Environment: BENCH_DURATION and BENCH_WARMUP in seconds; BENCH_CONCURRENCY checks in flight
 * (default 1: the per-check cost one request pays; jose verifies on the libuv pool).
 */
import { KeyObject, createPublicKey, verify } from 'node:crypto';
import { createHistogram } from 'node:perf_hooks';
import { type JWK, importJWK, jwtVerify } from 'jose';
import { systemClock } from '../../packages/server/src/core/clock.js';
import { issueAccessToken, JWT_TYP, verifyAccessToken } from '../../packages/server/src/core/jwt.js';
import { Keyset } from '../../packages/server/src/core/keyset.js';
import { SecretBox } from '../../packages/server/src/core/secret-box.js';
import { openStore } from '../../packages/server/src/store/kysely-store.js';

export interface LibResult {
  variant: string;
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: number;
  /** CPU time over wall time of this process while the variant ran. */
  cpu: number;
}

const ISSUER = 'http://127.0.0.1';
const AUDIENCE = 'http://127.0.0.1';

async function run(variant: string, seconds: number, concurrency: number, check: () => unknown): Promise<LibResult> {
  const histogram = createHistogram();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  let ops = 0;
  let rss = process.memoryUsage.rss();
  const worker = async () => {
    while (performance.now() < until) {
      // 64 checks between clock reads keeps the timing overhead out of the rate.
      for (let i = 0; i < 64; i++) {
        const t = process.hrtime.bigint();
        const r = check();
        if (r instanceof Promise) await r;
        histogram.record(Math.max(1, Number(process.hrtime.bigint() - t)));
        ops++;
      }
      if (ops % 4096 === 0) rss = Math.max(rss, process.memoryUsage.rss());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    variant,
    ops,
    seconds: wall,
    opsPerSec: ops / wall,
    p50Ms: histogram.percentile(50) / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    rssMb: rss / 1024 / 1024,
    cpu: (cpu.user + cpu.system) / 1e6 / wall,
  };
}

interface TokenVerifier {
  verify(token: string): Promise<unknown>;
}

/**
 * `createVerifier` from src/verify when it exists, with the issuer's metadata and JWKS served
 * from memory (offline); a reason string when it does not (yet).
 */
async function loadVerifyLibrary(jwks: unknown): Promise<{ fresh: TokenVerifier; memo: TokenVerifier } | string> {
  const path = '@gatehouse/verify';
  let mod: { createVerifier?: (o: Record<string, unknown>) => TokenVerifier };
  try {
    mod = (await import(path)) as typeof mod;
  } catch (err) {
    return `gatehouse/verify is not built yet (${(err as Error).message.split('\n')[0]})`;
  }
  if (typeof mod.createVerifier !== 'function') return 'gatehouse/verify exports no createVerifier';
  const documents: Record<string, unknown> = {
    [`${ISSUER}/.well-known/oauth-authorization-server`]: { issuer: ISSUER, jwks_uri: `${ISSUER}/.well-known/jwks.json` },
    [`${ISSUER}/.well-known/jwks.json`]: jwks,
  };
  const offline = async (input: string | URL | Request) => {
    const doc = documents[String(input instanceof Request ? input.url : input)];
    return doc ? Response.json(doc) : new Response('not found', { status: 404 });
  };
  const make = (memo: number) => mod.createVerifier!({ issuer: ISSUER, audience: AUDIENCE, fetch: offline, jwtMemoSize: memo });
  return { fresh: make(0), memo: make(10_000) };
}

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 2);
  const warmup = Number(process.env.BENCH_WARMUP ?? 0.5);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1);
  const store = openStore({ sqlitePath: ':memory:' });
  await store.migrate();
  const keyset = new Keyset({ store, clock: systemClock }, new SecretBox('bench-only-server-secret-0123456789abcdef'), { alg: 'ES256', maxTokenTtlMs: 900_000, refreshMs: 10_000 });
  await keyset.init({ type: 'system', id: null, user: null, ip: null });
  const token = await issueAccessToken(keyset, systemClock, { issuer: ISSUER, audience: AUDIENCE, subject: 'usr_bench', clientId: 'key_bench', scopes: ['read'], ttlSeconds: 900 });
  const jwk = keyset.jwks().keys[0] as JWK;
  const joseKey = await importJWK(jwk, 'ES256');
  const nodeKey = joseKey instanceof KeyObject ? joseKey : createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });

  const [h = '', p = '', s = ''] = token.split('.');
  const signed = Buffer.from(`${h}.${p}`);
  const raw = () => {
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    const ok = verify('sha256', signed, { key: nodeKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(token.slice(dot2 + 1), 'base64url'));
    if (!ok) throw new Error('raw verification failed');
    return JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8')) as unknown;
  };
  if (!s) throw new Error('not a JWS');
  const jose = () => jwtVerify(token, joseKey, { issuer: ISSUER, audience: AUDIENCE, typ: JWT_TYP, algorithms: ['ES256'] });
  const gatehouse = () => verifyAccessToken(keyset, systemClock, token, { issuer: ISSUER, audience: AUDIENCE });

  const variants: [string, () => unknown][] = [
    ['node:crypto', raw],
    ['jose', jose],
  ];
  const pending: { variant: string; reason: string }[] = [];
  const lib = await loadVerifyLibrary(keyset.jwks());
  if (typeof lib === 'string') pending.push({ variant: 'gatehouse/verify', reason: lib });
  else {
    variants.push(['gatehouse/verify', () => lib.fresh.verify(token)], ['gatehouse/verify (memo)', () => lib.memo.verify(token)]);
  }
  variants.push(['server core', gatehouse]);
  const rows: LibResult[] = [];
  for (const [name, fn] of variants) {
    await fn();
    if (warmup > 0) await run(name, warmup, concurrency, fn);
    rows.push(await run(name, duration, concurrency, fn));
  }
  keyset.stop();
  await store.close();
  process.stdout.write(`${JSON.stringify({ rows, pending })}\n`);
}

await main();
