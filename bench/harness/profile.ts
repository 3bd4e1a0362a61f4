/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`, written by `npm run bench -- --profile`):
 * self time per function and per area (Gatehouse's own code by directory, each package,
 * Node internals), which is what BENCHMARKS.md quotes for every missed target.
 *
 *   npx tsx bench/harness/profile.ts bench/results/profiles/<date>/gatehouse-sqlite-hot.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  /** Fraction of sampled time, idle excluded. */
  share: number;
}

/** Where a frame's code lives: a src/ directory, a package, Node itself, or V8. */
export function areaOf(url: string): string {
  if (url === '') return '(v8/native)';
  if (url.startsWith('node:')) return 'node:internal';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(?:src|bench\/\.build|dist)\/(.+)$/.exec(url);
  if (own) {
    const rest = own[1]!;
    return `gatehouse ${rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : '(root)'}`;
  }
  return url.split('/').slice(-2).join('/');
}

export function summarizeProfile(profile: CpuProfile, top = 20): { total: number; functions: Share[]; areas: Share[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i]!);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    total += dt;
    const file = frame.url.split('/').slice(-2).join('/');
    const key = `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + dt);
    const a = frame.functionName === '(garbage collector)' ? '(garbage collector)' : areaOf(frame.url);
    area.set(a, (area.get(a) ?? 0) + dt);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, t]) => ({ name, share: total > 0 ? t / total : 0 }));
  return { total, functions: rank(fn), areas: rank(area) };
}

export function formatSummary(s: ReturnType<typeof summarizeProfile>): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  return [
    `busy time sampled: ${(s.total / 1e6).toFixed(2)} s`,
    'by area (self time):',
    ...s.areas.map((a) => `  ${pct(a.share)}  ${a.name}`),
    'by function (self time):',
    ...s.functions.map((f) => `  ${pct(f.share)}  ${f.name}`),
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, flag, n] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: npx tsx bench/harness/profile.ts FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatSummary(summarizeProfile(profile, flag === '--top' ? Number(n) : 20))}\n`);
}
