/**
 * The issue's targets, judged against one run's rows. Ratios are judged conservatively (the
 * lower of raw and per-core; see report.ts). These are goals to report, never test assertions.
 */
import { type Measured, type Row, type Scenario, type Target, conservative, formatCount } from './report.js';

export type GoalStatus = 'met' | 'missed' | 'pending' | 'failed' | 'not run';

export interface GoalResult {
  scenario: Scenario;
  target: Target;
  goal: string;
  measured: string;
  status: GoalStatus;
}

type OkRow = Row & { measured: Measured };

interface Goal {
  scenario: Scenario;
  targets: readonly Target[];
  goal: (target: Target) => string;
  /** The rows the goal reads, or the reason it cannot be judged. */
  pick: (rows: readonly Row[], target: Target) => OkRow[] | GoalStatus;
  judge: (picked: OkRow[], target: Target) => { ok: boolean; measured: string };
}

const BACKENDS: readonly Target[] = ['sqlite', 'postgres'];
const f2 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '?' : n.toFixed(2));
const ms = (n: number) => `${n < 1 ? n.toFixed(3) : n.toFixed(2)} ms`;

function statusOf(rows: readonly Row[]): OkRow[] | GoalStatus {
  if (rows.length === 0) return 'not run';
  if (rows.some((r) => r.status === 'failed')) return 'failed';
  if (rows.some((r) => r.status === 'pending' || !r.measured)) return 'pending';
  return rows as OkRow[];
}

const one = (scenario: Scenario, variant?: string) => (rows: readonly Row[], target: Target) =>
  statusOf(rows.filter((r) => r.scenario === scenario && r.target === target && (variant === undefined || r.variant === variant)));

function largestCold(rows: readonly Row[], target: Target): OkRow[] | GoalStatus {
  const cold = rows.filter((r) => r.scenario === 'verify-key-cold' && r.target === target);
  const s = statusOf(cold);
  if (typeof s === 'string') return s;
  const big = s.reduce((a, b) => ((b.keys ?? 0) > (a.keys ?? 0) ? b : a));
  return big.vsRef ? [big] : 'not run';
}

const vs = (label: string, r: Row['vsCeiling']) => `${f2(conservative(r))}× ${label} (raw ${f2(r?.raw)}, per core ${f2(r?.perCore)})`;

export function goalsFor(connections: number): Goal[] {
  return [
    {
      scenario: 'verify-key',
      targets: BACKENDS,
      goal: () => '≥ 70% of ceiling, p99 < 5 ms at 50 connections',
      pick: one('verify-key'),
      judge: ([r]) => ({
        ok: (conservative(r!.vsCeiling) ?? 0) >= 0.7 && r!.measured.p99Ms < 5,
        measured: `${vs('ceiling', r!.vsCeiling)}, p99 ${ms(r!.measured.p99Ms)} at ${connections} connections`,
      }),
    },
    {
      scenario: 'verify-key-cold',
      targets: BACKENDS,
      goal: () => 'p50 within 1.5× of 1k keys; RSS < 400 MB (1M keys)',
      pick: largestCold,
      judge: ([r]) => ({
        ok: (r!.vsRef?.raw ?? Number.POSITIVE_INFINITY) <= 1.5 && r!.measured.rssMb < 400,
        measured: `${formatCount(r!.keys ?? 0)} keys: ${f2(r!.vsRef?.raw)}× ${r!.vsRef?.of ?? ''}, RSS ${r!.measured.rssMb.toFixed(0)} MB`,
      }),
    },
    {
      scenario: 'verify-jwt',
      targets: BACKENDS,
      goal: () => '≥ 60% of ceiling',
      pick: one('verify-jwt'),
      judge: ([r]) => ({ ok: (conservative(r!.vsCeiling) ?? 0) >= 0.6, measured: vs('ceiling', r!.vsCeiling) }),
    },
    {
      scenario: 'v0-auth',
      targets: BACKENDS,
      goal: () => '≥ 5× peer, ≥ 50% of ceiling',
      pick: one('v0-auth'),
      judge: ([r]) => ({
        ok: (conservative(r!.vsPeer) ?? 0) >= 5 && (conservative(r!.vsCeiling) ?? 0) >= 0.5,
        measured: `${vs('peer', r!.vsPeer)}; ${vs('ceiling', r!.vsCeiling)}`,
      }),
    },
    {
      scenario: 'refresh',
      targets: BACKENDS,
      goal: (t) => `≥ ${t === 'sqlite' ? '5,000' : '2,000'}/s, ≥ 3× peer`,
      pick: one('refresh'),
      judge: ([r], t) => ({
        ok: r!.measured.rps >= (t === 'sqlite' ? 5000 : 2000) && (conservative(r!.vsPeer) ?? 0) >= 3,
        measured: `${Math.round(r!.measured.rps).toLocaleString('en-US')}/s, ${vs('peer', r!.vsPeer)}`,
      }),
    },
    {
      scenario: 'introspect',
      targets: BACKENDS,
      goal: () => '≥ 3× peer',
      pick: one('introspect'),
      judge: ([r]) => ({ ok: (conservative(r!.vsPeer) ?? 0) >= 3, measured: vs('peer', r!.vsPeer) }),
    },
    {
      scenario: 'verify-lib',
      targets: ['lib'],
      goal: () => '≥ 80% of raw node:crypto',
      // Memo off: every check verifies a signature, as the raw node:crypto row does.
      pick: one('verify-lib', 'gatehouse/verify'),
      judge: ([r]) => ({ ok: (conservative(r!.vsRef) ?? 0) >= 0.8, measured: `${f2(conservative(r!.vsRef))}× node:crypto (raw ${f2(r!.vsRef?.raw)}, per core ${f2(r!.vsRef?.perCore)}), memo off` }),
    },
  ];
}

export function evaluateGoals(rows: readonly Row[], connections: number): GoalResult[] {
  const out: GoalResult[] = [];
  for (const g of goalsFor(connections)) {
    for (const target of g.targets) {
      const picked = g.pick(rows, target);
      if (typeof picked === 'string') {
        out.push({ scenario: g.scenario, target, goal: g.goal(target), measured: '', status: picked });
        continue;
      }
      const { ok, measured } = g.judge(picked, target);
      out.push({ scenario: g.scenario, target, goal: g.goal(target), measured, status: ok ? 'met' : 'missed' });
    }
  }
  return out;
}

export function formatGoals(goals: readonly GoalResult[]): string {
  return goals.map((g) => `${g.status.padEnd(7)}  ${g.scenario} ${g.target}: ${g.goal}${g.measured ? ` — ${g.measured}` : ''}`).join('\n');
}
