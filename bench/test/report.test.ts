/** Ratio math, the `pending` case and table formatting of the benchmark report. */
import { describe, expect, it } from 'vitest';
import {
  type Measured,
  type Row,
  conservative,
  formatCount,
  formatMarkdown,
  formatRatio,
  formatTable,
  pending,
  sortRows,
  tableCells,
  throughputRatio,
  withRatios,
} from '../harness/report.js';

const m = (rps: number, extra: Partial<Measured> = {}): Measured => ({ rps, p50Ms: 1, p99Ms: 2, rssMb: 100, serverCpu: 1, loadCpu: 0.5, responses: rps, bad: 0, ...extra });
const ok = (scenario: Row['scenario'], target: Row['target'], measured: Measured, more: Partial<Row> = {}): Row => ({ scenario, target, status: 'ok', measured, ...more });
const find = (rows: Row[], scenario: string, target: string, variant?: string) =>
  rows.find((r) => r.scenario === scenario && r.target === target && (variant === undefined || r.variant === variant))!;

describe('throughput ratios', () => {
  it('are raw and per core of server CPU', () => {
    const r = throughputRatio(m(6000, { serverCpu: 1 }), m(40000, { serverCpu: 0.5 }));
    expect(r.raw).toBeCloseTo(0.15);
    // 6000 per core vs 80000 per core
    expect(r.perCore).toBeCloseTo(0.075);
    expect(conservative(r)).toBeCloseTo(0.075);
  });

  it('have no per-core value when a CPU share is unknown or negligible', () => {
    expect(throughputRatio(m(10, { serverCpu: Number.NaN }), m(20)).perCore).toBeUndefined();
    expect(throughputRatio(m(10), m(20, { serverCpu: 0.01 })).perCore).toBeUndefined();
    expect(conservative({ raw: 0.5 })).toBe(0.5);
    expect(conservative(undefined)).toBeUndefined();
  });
});

describe('withRatios', () => {
  const rows: Row[] = [
    ok('ceiling', 'ceiling', m(40000, { serverCpu: 0.8 })),
    ok('verify-key', 'sqlite', m(20000)),
    ok('v0-auth', 'sqlite', m(8000)),
    ok('v0-auth', 'peer', m(2000), { variant: 'client_credentials JWT' }),
    pending('refresh', 'sqlite', 'OAuth routes not served yet'),
    ok('refresh', 'peer', m(1500)),
    ok('verify-key-cold', 'sqlite', m(9000, { p50Ms: 3 }), { variant: '1M keys', keys: 1_000_000 }),
    ok('verify-key-cold', 'sqlite', m(10000, { p50Ms: 2 }), { variant: '1k keys', keys: 1000 }),
    ok('verify-lib', 'lib', m(20000), { variant: 'node:crypto' }),
    ok('verify-lib', 'lib', m(15000), { variant: 'gatehouse/verify' }),
  ];
  const out = withRatios(rows);

  it('compares verify and v0-auth rows with the ceiling, raw and per core', () => {
    expect(find(out, 'verify-key', 'sqlite').vsCeiling).toEqual({ raw: 0.5, perCore: 0.4 });
    expect(find(out, 'v0-auth', 'sqlite').vsCeiling?.raw).toBeCloseTo(0.2);
  });

  it('compares v0-auth with the peer but never the peer with itself', () => {
    expect(find(out, 'v0-auth', 'sqlite').vsPeer?.raw).toBe(4);
    expect(find(out, 'v0-auth', 'peer').vsPeer).toBeUndefined();
    expect(find(out, 'verify-key', 'sqlite').vsPeer).toBeUndefined();
  });

  it('gives a pending row no numbers and no ratios', () => {
    const r = find(out, 'refresh', 'sqlite');
    expect(r.status).toBe('pending');
    expect(r.measured).toBeUndefined();
    expect(r.vsPeer).toBeUndefined();
  });

  it('compares the large cold key set with the smallest one by p50, whatever the row order', () => {
    expect(find(out, 'verify-key-cold', 'sqlite', '1M keys').vsRef).toEqual({ raw: 1.5, of: 'p50 vs 1k keys' });
    expect(find(out, 'verify-key-cold', 'sqlite', '1k keys').vsRef).toBeUndefined();
  });

  it('compares offline verifiers with raw node:crypto', () => {
    expect(find(out, 'verify-lib', 'lib', 'gatehouse/verify').vsRef).toMatchObject({ raw: 0.75, of: 'node:crypto' });
    expect(find(out, 'verify-lib', 'lib', 'node:crypto').vsRef).toBeUndefined();
  });

  it('leaves ratios out when the reference failed or is missing', () => {
    const lone = withRatios([ok('verify-key', 'sqlite', m(100)), { scenario: 'ceiling', target: 'ceiling', status: 'failed', reason: 'crashed' }]);
    expect(lone[0]!.vsCeiling).toBeUndefined();
    expect(withRatios([ok('v0-auth', 'sqlite', m(100)), ok('v0-auth', 'peer', m(0))])[0]!.vsPeer).toBeUndefined();
  });

  it('does not mutate its input', () => {
    expect(rows[1]!.vsCeiling).toBeUndefined();
  });
});

describe('formatting', () => {
  it('formats ratios, with the per-core value only when it differs', () => {
    expect(formatRatio({ raw: 0.5, perCore: 0.4 })).toBe('0.50× (0.40/core)');
    expect(formatRatio({ raw: 0.5, perCore: 0.501 })).toBe('0.50×');
    expect(formatRatio({ raw: 2 })).toBe('2.00×');
    expect(formatRatio(undefined)).toBe('');
  });

  it('formats key counts', () => {
    expect([1000, 20_000, 1_000_000, 1_500_000, 1234].map(formatCount)).toEqual(['1k', '20k', '1M', '1.5M', '1234']);
  });

  it('prints a pending row as "pending" with its reason, and no numbers', () => {
    const cells = tableCells(pending('refresh', 'postgres', 'OAuth routes not served yet'));
    expect(cells[0]).toBe('refresh');
    expect(cells[1]).toBe('postgres');
    expect(cells[2]).toBe('pending');
    expect(cells.slice(3, 10).every((c) => c === '')).toBe(true);
    expect(cells[10]).toBe('OAuth routes not served yet');
  });

  it('notes bad responses and an unsaturated server', () => {
    const cells = tableCells(ok('verify-key', 'sqlite', m(1234.4, { bad: 3, responses: 500, serverCpu: 0.5, p50Ms: 0.4567 }), { unit: 'req/s' }));
    expect(cells[2]).toBe('1,234 req/s');
    expect(cells[3]).toBe('0.457');
    expect(cells[10]).toBe('3 bad of 500 responses; server CPU 0.50');
  });

  it('aligns every line of the table to the same columns', () => {
    const table = formatTable(withRatios([ok('ceiling', 'ceiling', m(40000)), ok('verify-key', 'sqlite', m(20000)), pending('code-flow', 'sqlite', 'not yet')]));
    const lines = table.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^scenario\s+target\s+rate\s+p50 ms/);
    const rateEnd = lines[0]!.indexOf('rate') + 'rate'.length;
    // Right-aligned numbers end in the same column as their header.
    expect(lines[2]!.slice(0, rateEnd)).toMatch(/40,000 req\/s$/);
    expect(lines[3]!.slice(0, rateEnd)).toMatch(/20,000 req\/s$/);
    expect(lines[4]).toMatch(/^code-flow\s+sqlite\s+pending .*not yet$/);
    expect(lines[3]).toContain('0.50×');
  });

  it('renders Markdown with escaped pipes', () => {
    const md = formatMarkdown([pending('refresh', 'sqlite', 'a | b')]);
    expect(md.split('\n')[0]).toBe('| scenario | target | rate | p50 ms | p99 ms | RSS MB | CPU | vs ceiling | vs peer | vs ref | note |');
    expect(md).toContain('a \\| b');
  });

  it('sorts rows by scenario, then target, then key count', () => {
    const sorted = sortRows([
      ok('verify-key-cold', 'sqlite', m(1), { keys: 1_000_000 }),
      ok('v0-auth', 'peer', m(1)),
      ok('verify-key-cold', 'sqlite', m(1), { keys: 1000 }),
      ok('v0-auth', 'sqlite', m(1)),
      ok('ceiling', 'ceiling', m(1)),
    ]);
    expect(sorted.map((r) => `${r.scenario}/${r.target}/${r.keys ?? ''}`)).toEqual([
      'ceiling/ceiling/',
      'verify-key-cold/sqlite/1000',
      'verify-key-cold/sqlite/1000000',
      'v0-auth/sqlite/',
      'v0-auth/peer/',
    ]);
  });
});
