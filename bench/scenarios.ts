/**
 * What is measured on the ceiling, the peer and the offline verifiers, and the shared
 * plumbing every target uses: one helper turns a load spec into a table row (a failure becomes
 * a `failed` row with its reason, never a number).
 */
import { buildSync } from 'esbuild';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { BenchOptions } from './args.js';
import { ROOT } from './gatehouse.js';
import { type LoadSpec, measure } from './load.js';
import { JWT_RESOURCE } from './peer-constants.js';
import { AUTHORIZE_PATH, FORM, PEER_BASIC, clientCredentialsBody, codeExchangeBody, codeFrom, peerCheckJwtGrant, peerOpaqueToken, peerRefreshTokens, peerSession } from './peer-client.js';
import { codeFlow, refreshChain } from './flows.js';
import { type Pinning, type ServerProcess, freePort, startServer } from './proc.js';
import { type Row, type Scenario, type Target, failed, pending } from './report.js';
import type { LibResult } from './verify-lib.js';

export interface SeedReport {
  backend: string;
  keys: number;
  ms: number;
}

export interface RunContext {
  opts: BenchOptions;
  pinning: Pinning;
  /** Where `--cpu-prof` writes, when profiling. */
  profileDir: string | undefined;
  seeding: SeedReport[];
  log(message: string): void;
}

export const wants = (ctx: RunContext, s: Scenario) => ctx.opts.scenarios.includes(s);

const describe = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));

/** Measures one row; any error becomes a `failed` row. */
export async function measureRow(
  ctx: RunContext,
  server: ServerProcess,
  row: { scenario: Scenario; target: Target; variant?: string; keys?: number; unit?: Row['unit'] },
  spec: LoadSpec | (() => Promise<LoadSpec>),
): Promise<Row> {
  const label = `${row.scenario} on ${row.target}${row.variant ? ` (${row.variant})` : ''}`;
  ctx.log(`measuring ${label}`);
  try {
    const s = typeof spec === 'function' ? await spec() : spec;
    const m = await measure(server, s, { connections: ctx.opts.connections, durationSec: ctx.opts.durationSec, warmupSec: ctx.opts.warmupSec });
    return { ...row, status: 'ok', measured: m };
  } catch (err) {
    ctx.log(`  ${label} failed: ${describe(err)}`);
    return failed(row.scenario, row.target, describe(err), row.variant);
  }
}

export interface Task {
  name: string;
  run(server: ServerProcess): Promise<Row[]>;
}

/**
 * Runs tasks on one server process; when profiling, each task on a fresh process so each
 * profile holds one scenario.
 */
export async function runTasks(ctx: RunContext, start: (name: string) => Promise<ServerProcess>, tasks: readonly Task[]): Promise<Row[]> {
  const rows: Row[] = [];
  const groups = ctx.profileDir ? tasks.map((t) => [t]) : tasks.length > 0 ? [tasks] : [];
  for (const group of groups) {
    const server = await start(ctx.profileDir ? group[0]!.name : 'hot');
    try {
      for (const t of group) rows.push(...(await t.run(server)));
    } finally {
      await server.stop();
    }
  }
  return rows;
}

/**
 * The ceiling and the peer run as plain JavaScript, like Gatehouse's dist/: compiled once per run
 * into bench/.build (packages stay imports). Under `--import tsx` every process pays for tsx's
 * module hooks, which showed as ~2.5% of the ceiling's CPU in a profile.
 */
const built = new Map<string, string>();
/** verify-lib stays under tsx: it imports `gatehouse/verify` at run time, and all its rows share the hooks. */
const tsxEntry = (file: string) => ['--import', 'tsx', join(ROOT, 'bench', file)];
function compiledEntry(file: string): string[] {
  let out = built.get(file);
  if (!out) {
    out = join(ROOT, 'bench', '.build', file.replace(/\.ts$/, '.js'));
    buildSync({ entryPoints: [join(ROOT, 'bench', file)], outfile: out, bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' });
    built.set(file, out);
  }
  return [out];
}

export async function runCeiling(ctx: RunContext): Promise<Row[]> {
  const server = await startServer({ name: 'ceiling', args: compiledEntry('ceiling.ts'), env: {}, port: await freePort(), readyPath: '/healthz', cwd: ROOT, profileDir: ctx.profileDir }, ctx.pinning);
  try {
    return [await measureRow(ctx, server, { scenario: 'ceiling', target: 'ceiling' }, { method: 'GET', path: '/v1/agents', expect: [200] })];
  } finally {
    await server.stop();
  }
}

export async function runPeer(ctx: RunContext): Promise<Row[]> {
  const start = async (name: string) =>
    startServer(
      { name: `peer-${name}`, args: compiledEntry('peer.ts'), env: {}, port: await freePort(), readyPath: '/.well-known/openid-configuration', cwd: ROOT, profileDir: ctx.profileDir },
      ctx.pinning,
    );
  const auth = { authorization: PEER_BASIC, 'content-type': FORM };
  const tasks: Task[] = [];
  const task = (scenario: Scenario, variant: string | undefined, unit: Row['unit'], spec: (url: string) => Promise<LoadSpec>) => {
    if (!wants(ctx, scenario)) return;
    tasks.push({
      name: scenario,
      run: async (server) => [await measureRow(ctx, server, { scenario, target: 'peer', ...(variant ? { variant } : {}), ...(unit ? { unit } : {}) }, () => spec(server.url))],
    });
  };
  task('v0-auth', 'client_credentials JWT', undefined, async (url) => {
    await peerCheckJwtGrant(url);
    return { method: 'POST', path: '/token', headers: auth, body: clientCredentialsBody(JWT_RESOURCE), expect: [200] };
  });
  task('refresh', undefined, undefined, async (url) => {
    // One batch for the warm-up, one for the measured run: a token is never sent twice.
    const batches = [await peerRefreshTokens(url, ctx.opts.connections), await peerRefreshTokens(url, ctx.opts.connections)];
    const body = (rt: string) => `grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}`;
    return { method: 'POST', path: '/token', expect: [200], requests: refreshChain('/token', auth, () => batches.shift() ?? [], body) };
  });
  task('introspect', 'opaque token', undefined, async (url) => {
    const token = await peerOpaqueToken(url);
    return { method: 'POST', path: '/token/introspection', headers: auth, body: `token=${encodeURIComponent(token)}`, expect: [200] };
  });
  task('code-flow', undefined, 'flows/s', async (url) => {
    const session = await peerSession(url);
    const requests = codeFlow({ authorizePath: AUTHORIZE_PATH, sessionCookie: session.cookie, tokenPath: '/token', tokenHeaders: auth, codeFrom, tokenBody: codeExchangeBody });
    return { method: 'GET', path: AUTHORIZE_PATH, expect: [200, 303], perUnit: 2, requests };
  });
  return runTasks(ctx, start, tasks);
}

/** verify-lib in a child pinned like a server (it is the code under test). */
export async function runVerifyLib(ctx: RunContext): Promise<Row[]> {
  ctx.log('measuring verify-lib (offline JWT checks)');
  const [cmd, ...prefix] = ctx.pinning.server.length > 0 ? [...ctx.pinning.server, process.execPath] : [process.execPath];
  const env = { ...process.env, BENCH_DURATION: String(ctx.opts.durationSec), BENCH_WARMUP: String(ctx.opts.warmupSec) };
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(cmd!, [...prefix, ...tsxEntry('verify-lib.ts')], { cwd: ROOT, env, maxBuffer: 1 << 20 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)));
    });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { rows: LibResult[]; pending: { variant: string; reason: string }[] };
    const notes: Record<string, string> = {
      'gatehouse/verify': 'createVerifier, memo off: a signature check every time',
      'gatehouse/verify (memo)': 'the same token again: remembered until it expires',
      'server core': "the server's own check of JWTs on /v1",
    };
    return [
      ...out.rows.map(
        (r): Row => ({
          scenario: 'verify-lib',
          target: 'lib',
          variant: r.variant,
          unit: 'ops/s',
          status: 'ok',
          measured: { rps: r.opsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, rssMb: r.rssMb, serverCpu: r.cpu, loadCpu: Number.NaN, responses: r.ops, bad: 0 },
          note: notes[r.variant],
        }),
      ),
      ...out.pending.map((p) => pending('verify-lib', 'lib', p.reason, p.variant)),
    ];
  } catch (err) {
    return [failed('verify-lib', 'lib', describe(err))];
  }
}
