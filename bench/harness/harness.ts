/**
 * One benchmark run: every selected target, in one process and one sitting, so ratios compare
 * numbers taken on the same machine minutes apart. Order: the ceiling, the peer, Gatehouse on
 * SQLite then PostgreSQL (hot scenarios, OAuth, cold cache), then the offline verifiers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './args.js';
import { type Environment, describeEnvironment } from './environment.js';
import { buildGatehouse } from '../targets/gatehouse.js';
import { runGatehouse } from '../targets/gatehouse-scenarios.js';
import { runCeiling, runPeer, runVerifyLib } from '../targets/scenarios.js';
import { type GoalResult, evaluateGoals } from './goals.js';
import { ROOT } from './paths.js';
import { BENCH_DATABASE_URL, postgresVersion } from './postgres.js';
import { setupPinning } from './proc.js';
import { type Row, type Scenario, VS_CEILING, failed, sortRows, withRatios } from './report.js';
import type { RunContext, SeedReport } from './tasks.js';

export interface BenchResults {
  version: 1;
  date: string;
  mode: 'quick' | 'full';
  command: string;
  environment: Environment;
  options: BenchOptions;
  pinning: { server: string[]; loadCore: number | undefined };
  gatehouse: string | undefined;
  warnings: string[];
  seeding: SeedReport[];
  rows: Row[];
  goals: GoalResult[];
  loadavgAtEnd: number[];
  seconds: number;
}

const GATEHOUSE_SCENARIOS: readonly Scenario[] = ['verify-key', 'verify-key-cold', 'verify-jwt', 'v0-auth', 'refresh', 'introspect', 'code-flow'];
const PEER_SCENARIOS: readonly Scenario[] = ['v0-auth', 'refresh', 'introspect', 'code-flow'];

export async function runBench(opts: BenchOptions, argv: readonly string[], log: (message: string) => void): Promise<BenchResults> {
  const started = Date.now();
  const date = new Date(started).toISOString();
  const pinning = setupPinning(opts.pinSelf);
  const warnings = [...pinning.warnings];
  const has = (list: readonly Scenario[]) => list.some((s) => opts.scenarios.includes(s));
  const pg = opts.targets.includes('postgres') && has(GATEHOUSE_SCENARIOS) ? await postgresVersion() : undefined;
  const environment = describeEnvironment(pg);
  const busy = environment.machine.loadavgAtStart[0] ?? 0;
  if (busy > 0.5) warnings.push(`load average ${busy} at start: other processes share the cores, numbers are noisier`);
  for (const w of warnings) log(`warning: ${w}`);

  const stamp = date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const profileDir = opts.profile ? join(opts.outDir ?? tmpdir(), 'profiles', stamp) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const ctx: RunContext = { opts, pinning, profileDir, seeding: [], log };
  const rows: Row[] = [];
  let gatehouse: string | undefined;

  if (opts.targets.includes('ceiling') && opts.scenarios.some((s) => VS_CEILING.has(s))) rows.push(...(await runCeiling(ctx)));
  if (opts.targets.includes('peer') && has(PEER_SCENARIOS)) rows.push(...(await runPeer(ctx)));
  const backends = (['sqlite', 'postgres'] as const).filter((b) => opts.targets.includes(b));
  if (backends.length > 0 && has(GATEHOUSE_SCENARIOS)) {
    if (!opts.fromSource && opts.gatehouseBin === null) log('building Gatehouse (tsc)');
    const command = buildGatehouse(opts.fromSource, opts.gatehouseBin);
    gatehouse = command.description;
    for (const backend of backends) {
      if (backend === 'postgres' && pg === undefined) {
        const reason = `PostgreSQL unreachable at ${BENCH_DATABASE_URL} (set BENCH_DATABASE_URL)`;
        log(reason);
        rows.push(...GATEHOUSE_SCENARIOS.filter((s) => opts.scenarios.includes(s)).map((s) => failed(s, backend, reason)));
        continue;
      }
      rows.push(...(await runGatehouse(ctx, backend, command)));
    }
  }
  if (opts.targets.includes('lib') && opts.scenarios.includes('verify-lib')) rows.push(...(await runVerifyLib(ctx)));

  const final = sortRows(withRatios(rows));
  return {
    version: 1,
    date,
    mode: opts.quick ? 'quick' : 'full',
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    environment,
    options: opts,
    pinning: { server: pinning.server, loadCore: pinning.loadCore },
    gatehouse,
    warnings,
    seeding: ctx.seeding,
    rows: final,
    goals: evaluateGoals(final, opts.connections),
    loadavgAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

/** Paths of this checkout and of the temporary directory, written relative (results are committed). */
export function relativePaths(text: string): string {
  return text.split(ROOT.replace(/\/$/, '')).join('.').split(tmpdir()).join('<tmpdir>');
}

/** Writes `<outDir>/<date>[-quick].json` and returns its path. */
export function writeResults(results: BenchResults, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const stamp = results.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const file = join(outDir, `${stamp}${results.mode === 'quick' ? '-quick' : ''}.json`);
  writeFileSync(file, `${relativePaths(JSON.stringify(results, null, 2))}\n`);
  return file;
}
