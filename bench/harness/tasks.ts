/**
 * The plumbing every target's scenarios share: the run's context, one helper that turns a load
 * spec into a table row (a failure becomes a `failed` row with its reason, never a number), and
 * the grouping of measurements onto server processes.
 */
import type { BenchOptions } from './args.js';
import { type LoadSpec, measure } from './load.js';
import type { Pinning, ServerProcess } from './proc.js';
import { type Row, type Scenario, type Target, failed } from './report.js';

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

/** The first line of an error: what a `failed` row shows as its reason. */
export const describeError = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));

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
    ctx.log(`  ${label} failed: ${describeError(err)}`);
    return failed(row.scenario, row.target, describeError(err), row.variant);
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
