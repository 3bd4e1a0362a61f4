/**
 * Results of one benchmark run and the arithmetic on them: ratios to the ceiling, to the peer
 * and to a scenario's own reference, and the printed table. Pure functions, unit-tested.
 *
 * Every ratio is given twice: on raw throughput, and per core of server CPU (throughput divided
 * by the server's CPU share). On a two-core machine one Node load generator cannot saturate
 * the trivial ceiling route, so its raw throughput understates what the stack can serve and
 * a raw "× ceiling" flatters the server under test; the per-core ratio does not. Goals are
 * judged on the lower of the two.
 */

export const SCENARIOS = ['ceiling', 'verify-key', 'verify-key-cold', 'verify-jwt', 'v0-auth', 'refresh', 'introspect', 'code-flow', 'verify-lib'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const TARGETS = ['ceiling', 'sqlite', 'postgres', 'peer', 'lib'] as const;
export type Target = (typeof TARGETS)[number];

export interface Measured {
  /** Units of work per second (requests, flows or verifications). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Peak RSS of the server while under load, in MiB. */
  rssMb: number;
  /** Server CPU share during the run (1 = one core); NaN when unknown. */
  serverCpu: number;
  /** The load generator's CPU share: near 1 means it, not the server, was the limit. */
  loadCpu: number;
  responses: number;
  /** Responses with an unexpected status, plus connection errors and timeouts. */
  bad: number;
  /** Responses per HTTP status, to see what the bad ones were. */
  statuses?: Record<string, number> | undefined;
}

export interface Ratio {
  raw: number;
  /** Ratio of throughput per core of server CPU; undefined when a CPU share is unknown. */
  perCore?: number | undefined;
}

export interface Row {
  scenario: Scenario;
  target: Target;
  /** Distinguishes rows of one scenario and target, e.g. "1k keys" or "jose". */
  variant?: string | undefined;
  status: 'ok' | 'pending' | 'failed';
  /** Why a row is pending or failed. */
  reason?: string | undefined;
  unit?: 'req/s' | 'flows/s' | 'ops/s' | undefined;
  /** verify-key-cold: how many keys were stored. */
  keys?: number | undefined;
  measured?: Measured | undefined;
  vsCeiling?: Ratio | undefined;
  vsPeer?: Ratio | undefined;
  /** A scenario-specific comparison (p50 vs the small key set; ops vs raw node:crypto). */
  vsRef?: (Ratio & { of: string }) | undefined;
  note?: string | undefined;
}

/** Scenarios the issue compares with the ceiling and with the peer. */
export const VS_CEILING: ReadonlySet<Scenario> = new Set(['verify-key', 'verify-jwt', 'v0-auth']);
export const VS_PEER: ReadonlySet<Scenario> = new Set(['v0-auth', 'refresh', 'introspect']);
export const LIB_RAW = 'node:crypto';

export const pending = (scenario: Scenario, target: Target, reason: string, variant?: string): Row => ({ scenario, target, variant, status: 'pending', reason });
export const failed = (scenario: Scenario, target: Target, reason: string, variant?: string): Row => ({ scenario, target, variant, status: 'failed', reason });

const usable = (r: Row | undefined): r is Row & { measured: Measured } => r?.status === 'ok' && r.measured !== undefined && r.measured.rps > 0;

const perCore = (m: Measured) => (Number.isFinite(m.serverCpu) && m.serverCpu > 0.05 ? m.rps / m.serverCpu : undefined);

/** `a` relative to `b` in throughput, raw and per core. */
export function throughputRatio(a: Measured, b: Measured): Ratio {
  const pa = perCore(a);
  const pb = perCore(b);
  return { raw: a.rps / b.rps, perCore: pa !== undefined && pb !== undefined ? pa / pb : undefined };
}

/** The ratio a goal is judged on: the lower (more conservative) of raw and per core. */
export const conservative = (r: Ratio | undefined): number | undefined => (r === undefined ? undefined : r.perCore === undefined ? r.raw : Math.min(r.raw, r.perCore));

/** Fills in every ratio the issue defines; rows are returned as new objects. */
export function withRatios(rows: readonly Row[]): Row[] {
  const find = (scenario: Scenario, target: Target, variant?: string) =>
    rows.find((r) => r.scenario === scenario && r.target === target && (variant === undefined || r.variant === variant));
  const ceiling = find('ceiling', 'ceiling');
  return rows.map((row) => {
    if (!usable(row)) return { ...row };
    const out: Row = { ...row };
    if (VS_CEILING.has(row.scenario) && usable(ceiling)) out.vsCeiling = throughputRatio(row.measured, ceiling.measured);
    const peer = find(row.scenario, 'peer');
    if (VS_PEER.has(row.scenario) && row.target !== 'peer' && usable(peer)) out.vsPeer = throughputRatio(row.measured, peer.measured);
    if (row.scenario === 'verify-key-cold' && row.keys !== undefined) {
      const small = smallestColdSet(rows, row.target);
      if (usable(small) && small.keys !== undefined && small.keys < row.keys) {
        out.vsRef = { raw: row.measured.p50Ms / small.measured.p50Ms, of: `p50 vs ${formatCount(small.keys)} keys` };
      }
    }
    if (row.scenario === 'verify-lib' && row.variant !== LIB_RAW) {
      const raw = find('verify-lib', row.target, LIB_RAW);
      if (usable(raw)) out.vsRef = { ...throughputRatio(row.measured, raw.measured), of: LIB_RAW };
    }
    return out;
  });
}

/** Scenario order, then target order, then key count. */
export function sortRows(rows: readonly Row[]): Row[] {
  const order = (r: Row) => [SCENARIOS.indexOf(r.scenario), TARGETS.indexOf(r.target), r.keys ?? 0];
  return [...rows].sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    for (let i = 0; i < x.length; i++) if (x[i]! !== y[i]!) return x[i]! - y[i]!;
    return 0;
  });
}

function smallestColdSet(rows: readonly Row[], target: Target): Row | undefined {
  let best: Row | undefined;
  for (const r of rows) {
    if (r.scenario === 'verify-key-cold' && r.target === target && r.keys !== undefined && (best?.keys === undefined || r.keys < best.keys)) best = r;
  }
  return best;
}

/** 1000 → "1k", 1000000 → "1M", 20000 → "20k". */
export function formatCount(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 100 === 0) return `${n / 1_000}k`;
  return String(n);
}

const fixed = (n: number | undefined, digits: number) => (n === undefined || !Number.isFinite(n) ? '' : n.toFixed(digits));

export function formatRatio(r: Ratio | undefined): string {
  if (r === undefined) return '';
  const raw = `${fixed(r.raw, 2)}×`;
  return r.perCore === undefined || Math.abs(r.perCore - r.raw) < 0.005 ? raw : `${raw} (${fixed(r.perCore, 2)}/core)`;
}

export function formatRate(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

export function describeTarget(row: Row): string {
  return row.variant ? `${row.target} (${row.variant})` : row.target;
}

/** Notes that keep a number honest: unsaturated server, errors during the run. */
export function rowNote(row: Row): string {
  const notes: string[] = [];
  if (row.status !== 'ok') return row.reason ?? '';
  const m = row.measured;
  if (m && m.bad > 0) notes.push(`${m.bad} bad of ${m.responses} responses`);
  if (m && Number.isFinite(m.serverCpu) && m.serverCpu < 0.85 && row.target !== 'lib') notes.push(`server CPU ${m.serverCpu.toFixed(2)}`);
  if (row.note) notes.push(row.note);
  return notes.join('; ');
}

export const HEADER = ['scenario', 'target', 'rate', 'p50 ms', 'p99 ms', 'RSS MB', 'CPU', 'vs ceiling', 'vs peer', 'vs ref', 'note'];

export function tableCells(row: Row): string[] {
  const m = row.status === 'ok' ? row.measured : undefined;
  const rate = row.status === 'ok' && m ? `${formatRate(m.rps)} ${row.unit ?? 'req/s'}` : row.status;
  const ref = row.vsRef ? `${row.scenario === 'verify-lib' ? formatRatio(row.vsRef) : `${fixed(row.vsRef.raw, 2)}×`} ${row.vsRef.of}` : '';
  return [
    row.scenario,
    describeTarget(row),
    rate,
    m ? fixed(m.p50Ms, m.p50Ms < 1 ? 3 : 2) : '',
    m ? fixed(m.p99Ms, m.p99Ms < 1 ? 3 : 2) : '',
    m ? fixed(m.rssMb, 0) : '',
    m && Number.isFinite(m.serverCpu) ? fixed(m.serverCpu, 2) : '',
    formatRatio(row.vsCeiling),
    formatRatio(row.vsPeer),
    ref,
    rowNote(row),
  ];
}

/** A plain-text table with aligned columns (numbers right-aligned). */
export function formatTable(rows: readonly Row[]): string {
  const body = rows.map(tableCells);
  const all = [HEADER, ...body];
  const widths = HEADER.map((_, i) => Math.max(...all.map((cells) => cells[i]!.length)));
  const right = new Set([2, 3, 4, 5, 6]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The same rows as a Markdown table (for BENCHMARKS.md). */
export function formatMarkdown(rows: readonly Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${tableCells(r).map(esc).join(' | ')} |`)].join('\n');
}
