/**
 * What is measured on the ceiling, the peer and the offline verifiers (Gatehouse's own
 * scenarios are in gatehouse-scenarios.ts).
 */
import { execFile } from 'node:child_process';
import { compiledEntry, tsxEntry } from '../harness/entries.js';
import type { LoadSpec } from '../harness/load.js';
import { ROOT } from '../harness/paths.js';
import { freePort, startServer } from '../harness/proc.js';
import { type Row, type Scenario, failed, pending } from '../harness/report.js';
import { type RunContext, type Task, describeError, measureRow, runTasks, wants } from '../harness/tasks.js';
import { codeFlow, refreshChain } from './flows.js';
import { AUTHORIZE_PATH, FORM, PEER_BASIC, clientCredentialsBody, codeExchangeBody, codeFrom, peerCheckJwtGrant, peerOpaqueToken, peerRefreshTokens, peerSession } from './peer-client.js';
import { JWT_RESOURCE } from './peer-constants.js';
import type { LibResult } from './verify-lib.js';

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
    return [failed('verify-lib', 'lib', describeError(err))];
  }
}
