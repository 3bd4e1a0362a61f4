/** BENCHMARKS.md's generated part, committed-results hygiene, and process sampling. */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../harness/paths.js';
import { type BenchResults, relativePaths } from '../harness/harness.js';
import { parseBenchArgs } from '../harness/args.js';
import { sampleProcess } from '../harness/proc.js';
import { pending, withRatios } from '../harness/report.js';
import { evaluateGoals } from '../harness/goals.js';
import { summaryMarkdown } from '../harness/summary.js';

const results = (): BenchResults => {
  const rows = withRatios([
    { scenario: 'ceiling', target: 'ceiling', status: 'ok', measured: { rps: 50000, p50Ms: 0.6, p99Ms: 2, rssMb: 100, serverCpu: 1, loadCpu: 1, responses: 500000, bad: 0 } },
    { scenario: 'verify-key', target: 'sqlite', status: 'ok', measured: { rps: 10000, p50Ms: 4, p99Ms: 9, rssMb: 150, serverCpu: 1, loadCpu: 0.5, responses: 100000, bad: 0 } },
    pending('refresh', 'sqlite', 'OAuth routes not served yet'),
  ]);
  return {
    version: 1,
    date: '2026-01-01T00:00:00.000Z',
    mode: 'full',
    command: 'npm run bench',
    environment: { machine: { cpu: 'Test CPU', cores: 2, memoryGb: 8, os: 'Linux 6.1', loadavgAtStart: [0.1, 0.2, 0.3] }, versions: { node: 'v20.0.0', hono: '4.0.0' }, commit: 'abc1234' },
    options: parseBenchArgs([], 'bench/results'),
    pinning: { server: ['taskset', '-c', '0'], loadCore: 1 },
    gatehouse: 'dist/',
    warnings: ['load average 0.9 at start'],
    seeding: [{ backend: 'sqlite', keys: 1_000_000, ms: 50_000 }],
    rows,
    goals: evaluateGoals(rows, 50),
    loadavgAtEnd: [0.5, 0.4, 0.3],
    seconds: 400,
  };
};

describe('summary for BENCHMARKS.md', () => {
  const md = summaryMarkdown(results());

  it('names the machine, the versions, the exact command, pinning and seeding', () => {
    expect(md).toContain('- **Command:** `npm run bench`');
    expect(md).toContain('Test CPU, 2 cores, 8 GB RAM, Linux 6.1');
    expect(md).toContain('servers under `taskset -c 0`, load generator on core 1');
    expect(md).toContain('node v20.0.0, hono 4.0.0');
    expect(md).toContain('1,000,000 keys on sqlite in 50.0 s (20,000 keys/s)');
    expect(md).toContain('commit abc1234');
  });

  it('holds the full table, pending rows included, and every goal with its status', () => {
    expect(md).toMatch(/\| verify-key \| sqlite \| 10,000 req\/s \|.*\| 0\.20× \|/);
    expect(md).toContain('| refresh | sqlite | pending |');
    expect(md).toContain('| verify-key | sqlite | ≥ 70% of ceiling, p99 < 5 ms at 50 connections | 0.20× ceiling (raw 0.20, per core 0.20), p99 9.00 ms at 50 connections | **missed** |');
    expect(md).toContain('| refresh | sqlite | ≥ 5,000/s, ≥ 3× peer |  | **pending** |');
  });
});

describe('results hygiene', () => {
  it('writes paths of the checkout and of the temporary directory relative', () => {
    const text = relativePaths(JSON.stringify({ out: `${ROOT}bench/results`, tmp: `${tmpdir()}/gatehouse-bench-1` }));
    expect(JSON.parse(text)).toEqual({ out: './bench/results', tmp: '<tmpdir>/gatehouse-bench-1' });
  });
});

describe('process sampling', () => {
  it('reads RSS and CPU time of a live process, and zeros for a process that is gone', (ctx) => {
    // /proc is Linux's; elsewhere the harness reports no RSS.
    if (process.platform !== 'linux') return ctx.skip();
    const self = sampleProcess(process.pid);
    expect(self.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(self.cpuSeconds).toBeGreaterThan(0);
    expect(sampleProcess(2 ** 30)).toEqual({ rssBytes: 0, cpuSeconds: 0 });
  });
});
