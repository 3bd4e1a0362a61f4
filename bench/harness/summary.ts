/**
 * Renders a results file as the Markdown that BENCHMARKS.md carries (machine, versions, exact
 * command, the full table, the issue's targets with met/missed); the analysis of each missed
 * target is written by hand under it.
 *
 *   npx tsx bench/harness/summary.ts bench/results/<date>.json
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from './harness.js';
import { formatMarkdown } from './report.js';

export function summaryMarkdown(r: BenchResults): string {
  const m = r.environment.machine;
  const v = r.environment.versions;
  const o = r.options;
  const lines = [
    `Run of ${r.date} (${r.mode}), ${r.seconds} s in total, commit ${r.environment.commit ?? 'unknown'}.`,
    '',
    `- **Command:** \`${r.command}\``,
    `- **Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}; load average ${m.loadavgAtStart.join(' / ')} at start, ${r.loadavgAtEnd.join(' / ')} at the end`,
    `- **Pinning:** servers under \`${r.pinning.server.join(' ') || '(none)'}\`, load generator on core ${r.pinning.loadCore ?? '(not pinned)'}`,
    `- **Load:** ${o.connections} connections, ${o.durationSec} s measured after ${o.warmupSec} s of warm-up per run, loopback only`,
    `- **Gatehouse:** ${r.gatehouse ?? 'not run'}, GATEHOUSE_LOG_LEVEL=${o.logLevel}`,
    `- **Versions:** ${Object.entries(v)
      .map(([k, x]) => `${k} ${x}`)
      .join(', ')}`,
    ...r.seeding.map((s) => `- **Seeding:** ${s.keys.toLocaleString('en-US')} keys on ${s.backend} in ${(s.ms / 1000).toFixed(1)} s (${Math.round(s.keys / (s.ms / 1000)).toLocaleString('en-US')} keys/s)`),
    ...r.warnings.map((w) => `- **Warning:** ${w.split('\n')[0]}`),
    '',
    formatMarkdown(r.rows),
    '',
    '| scenario | target | goal | measured | status |',
    '|---|---|---|---|---|',
    ...r.goals.map((g) => `| ${g.scenario} | ${g.target} | ${g.goal} | ${g.measured.replace(/\|/g, '\\|')} | **${g.status}** |`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npx tsx bench/harness/summary.ts RESULTS.json\n');
    process.exit(2);
  }
  process.stdout.write(`${summaryMarkdown(JSON.parse(readFileSync(file, 'utf8')) as BenchResults)}\n`);
}
