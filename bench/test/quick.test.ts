/**
 * The harness end to end, so it cannot rot: the quick mode of one scenario (verify-key on a
 * SQLite Gatehouse started the way `npm run bench` does (from src/ here), plus the ceiling it is
 * compared with), very short. Asserts that numbers came back, never how fast they are.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../harness/args.js';
import { runBench, writeResults } from '../harness/harness.js';
import { formatTable } from '../harness/report.js';

describe('npm run bench -- --quick, one scenario', () => {
  const out = mkdtempSync(join(tmpdir(), 'gatehouse-bench-test-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures verify-key on SQLite against the ceiling and reports a rate and ratios', async () => {
    // From source: the build into dist/ is for real runs, not for a test running next to others.
    const argv = ['--quick', '--scenarios', 'verify-key', '--targets', 'ceiling,sqlite', '--duration', '1', '--warmup', '0', '--connections', '4', '--from-source', '--no-pin', '--out', out];
    const opts = parseBenchArgs(argv, 'unused');
    const log: string[] = [];
    const results = await runBench(opts, argv, (m) => log.push(m));

    expect(results.rows.map((r) => `${r.scenario}/${r.target}`)).toEqual(['ceiling/ceiling', 'verify-key/sqlite']);
    for (const row of results.rows) {
      expect(row.status, row.reason).toBe('ok');
      expect(row.measured!.rps).toBeGreaterThan(0);
      expect(row.measured!.responses).toBeGreaterThan(0);
      // Every response was a 200: the seeded key authenticated.
      expect(row.measured!.bad).toBe(0);
      expect(row.measured!.rssMb).toBeGreaterThan(0);
    }
    const verify = results.rows[1]!;
    expect(verify.vsCeiling!.raw).toBeGreaterThan(0);
    expect(formatTable(results.rows)).toMatch(/verify-key\s+sqlite\s+[\d,.]+ req\/s/);
    expect(results.goals.find((g) => g.scenario === 'verify-key' && g.target === 'sqlite')?.status).toMatch(/^(met|missed)$/);
    expect(log).toContain('measuring verify-key on sqlite');

    const file = writeResults(results, out);
    expect(file).toMatch(/-quick\.json$/);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as typeof results;
    // Committed results carry no absolute path of the machine that ran them.
    expect(saved.command).toBe(`npm run bench -- ${argv.slice(0, -1).join(' ')} <tmpdir>/${out.split('/').pop()}`);
    expect(JSON.stringify(saved)).not.toContain(out);
    expect(saved.rows[1]!.measured!.rps).toBe(verify.measured!.rps);
    expect(saved.environment.versions.node).toBe(process.version);
  }, 120_000);
});
