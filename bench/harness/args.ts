/** Command-line options of `npm run bench`. */
import { parseArgs } from 'node:util';
import { SCENARIOS, type Scenario, TARGETS, type Target } from './report.js';

export interface BenchOptions {
  quick: boolean;
  durationSec: number;
  warmupSec: number;
  connections: number;
  scenarios: Scenario[];
  targets: Target[];
  /** verify-key-cold: the small and the large key set. */
  coldSmallKeys: number;
  coldKeys: number;
  /** Where <date>.json goes; null: do not write (the default for --quick). */
  outDir: string | null;
  /** Run servers under `node --cpu-prof`, profiles written under the output directory. */
  profile: boolean;
  /** Run Gatehouse from its sources through tsx instead of a fresh build. */
  fromSource: boolean;
  /** Run this `gatehouse` entry (e.g. another checkout's bin/gatehouse.js) instead of building: A/B runs. */
  gatehouseBin: string | null;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Pin the load generator (this process) to core 1. */
  pinSelf: boolean;
  help: boolean;
}

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

export const BENCH_USAGE = `usage: npm run bench -- [options]

  --quick                  short runs (0.8 s, 10k keys for the cold scenario): under a minute
  --duration SECONDS       measured time per run (default 10, quick 0.8)
  --warmup SECONDS         discarded warm-up per run (default 2, quick 0.2)
  --connections N          concurrent connections (default 50)
  --scenarios a,b          subset of: ${SCENARIOS.filter((s) => s !== 'ceiling').join(', ')}
  --targets a,b            subset of: ${TARGETS.join(', ')}
  --cold-keys N            keys stored for verify-key-cold (default 1000000, quick 10000)
  --out DIR                where <date>.json is written (default bench/results; --quick writes
                           nothing unless --out is given)
  --no-write               print only, write no results file
  --profile                run servers under node --cpu-prof (profiles next to the results)
  --from-source            run Gatehouse from its sources (tsx) instead of building first
  --gatehouse-bin FILE     run this gatehouse entry (another checkout's bin/gatehouse.js) as is,
                           to compare two versions; seeding still uses this checkout
  --log-level LEVEL        Gatehouse's GATEHOUSE_LOG_LEVEL (default info, as deployed)
  --no-pin                 do not pin this process to core 1`;

function positiveNumber(text: string | undefined, flag: string, fallback: number, integer = false): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new BenchUsageError(`${flag} takes a positive ${integer ? 'whole ' : ''}number, not "${text}"`);
  }
  return n;
}

function list<T extends string>(text: string | undefined, allowed: readonly T[], flag: string): T[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (items.length === 0 || unknown.length > 0) throw new BenchUsageError(`${flag}: unknown ${unknown.join(', ') || '(empty list)'}; choose from ${allowed.join(', ')}`);
  return [...new Set(items)] as T[];
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export function parseBenchArgs(argv: readonly string[], defaultOut: string): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        scenarios: { type: 'string' },
        targets: { type: 'string' },
        'cold-keys': { type: 'string' },
        out: { type: 'string' },
        'no-write': { type: 'boolean' },
        profile: { type: 'boolean' },
        'from-source': { type: 'boolean' },
        'gatehouse-bin': { type: 'string' },
        'log-level': { type: 'string' },
        'no-pin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new BenchUsageError((err as Error).message);
  }
  const s = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const quick = values.quick === true;
  const coldSmallKeys = 1_000;
  const coldKeys = positiveNumber(s('cold-keys'), '--cold-keys', quick ? 10_000 : 1_000_000, true);
  if (coldKeys <= coldSmallKeys) throw new BenchUsageError(`--cold-keys must be more than ${coldSmallKeys} (the small set it is compared with)`);
  const logLevel = s('log-level') ?? 'info';
  if (!(LEVELS as readonly string[]).includes(logLevel)) throw new BenchUsageError(`--log-level must be one of ${LEVELS.join(', ')}`);
  if (values['no-write'] === true && s('out') !== undefined) throw new BenchUsageError('--out and --no-write contradict each other');
  if (values['from-source'] === true && s('gatehouse-bin') !== undefined) throw new BenchUsageError('--from-source and --gatehouse-bin contradict each other');
  const scenarios = list(s('scenarios'), SCENARIOS, '--scenarios') ?? SCENARIOS.filter((x) => x !== 'ceiling');
  return {
    quick,
    durationSec: positiveNumber(s('duration'), '--duration', quick ? 0.8 : 10),
    warmupSec: s('warmup') === '0' ? 0 : positiveNumber(s('warmup'), '--warmup', quick ? 0.2 : 2),
    connections: positiveNumber(s('connections'), '--connections', 50, true),
    scenarios,
    targets: list(s('targets'), TARGETS, '--targets') ?? [...TARGETS],
    coldSmallKeys,
    coldKeys,
    outDir: values['no-write'] === true ? null : (s('out') ?? (quick ? null : defaultOut)),
    profile: values.profile === true,
    fromSource: values['from-source'] === true,
    gatehouseBin: s('gatehouse-bin') ?? null,
    logLevel: logLevel as BenchOptions['logLevel'],
    pinSelf: values['no-pin'] !== true,
    help: values.help === true,
  };
}
