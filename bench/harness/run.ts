/** `npm run bench [-- options]`: runs the side-by-side benchmark and prints one table. */
import { BENCH_USAGE, BenchUsageError, parseBenchArgs } from './args.js';
import { formatGoals } from './goals.js';
import { runBench, writeResults } from './harness.js';
import { RESULTS_DIR } from './paths.js';
import { formatTable } from './report.js';

async function main(argv: string[]): Promise<number> {
  let opts: ReturnType<typeof parseBenchArgs>;
  try {
    opts = parseBenchArgs(argv, RESULTS_DIR);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n\n${BENCH_USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const t0 = Date.now();
  const log = (m: string) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}\n`);
  const results = await runBench(opts, argv, log);
  const out = process.stdout;
  out.write(`\n${formatTable(results.rows)}\n\n`);
  out.write(`Targets (ratios judged on the lower of raw and per-core):\n${formatGoals(results.goals)}\n`);
  for (const s of results.seeding) out.write(`seeded ${s.keys.toLocaleString('en-US')} keys on ${s.backend} in ${(s.ms / 1000).toFixed(1)} s\n`);
  out.write(`${results.mode} run, ${opts.connections} connections, ${opts.durationSec} s per run, ${results.seconds} s in total\n`);
  if (opts.outDir) out.write(`results: ${writeResults(results, opts.outDir)}\n`);
  return results.rows.some((r) => r.status === 'failed') ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
