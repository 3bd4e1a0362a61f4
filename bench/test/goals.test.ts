/** The targets judged on a run's rows: met, missed, pending, failed, not run. */
import { describe, expect, it } from 'vitest';
import { evaluateGoals, formatGoals } from '../harness/goals.js';
import { type Measured, type Row, failed, pending, withRatios } from '../harness/report.js';

const m = (rps: number, extra: Partial<Measured> = {}): Measured => ({ rps, p50Ms: 1, p99Ms: 2, rssMb: 100, serverCpu: 1, loadCpu: 0.5, responses: rps, bad: 0, ...extra });
const ok = (scenario: Row['scenario'], target: Row['target'], measured: Measured, more: Partial<Row> = {}): Row => ({ scenario, target, status: 'ok', measured, ...more });
const goal = (rows: Row[], scenario: string, target: string) => evaluateGoals(withRatios(rows), 50).find((g) => g.scenario === scenario && g.target === target)!;

describe('goals', () => {
  const ceiling = ok('ceiling', 'ceiling', m(10000));

  it('verify-key is met at 70% of the ceiling with p99 under 5 ms', () => {
    expect(goal([ceiling, ok('verify-key', 'sqlite', m(7000, { p99Ms: 4.9 }))], 'verify-key', 'sqlite').status).toBe('met');
    expect(goal([ceiling, ok('verify-key', 'sqlite', m(6900, { p99Ms: 1 }))], 'verify-key', 'sqlite').status).toBe('missed');
    expect(goal([ceiling, ok('verify-key', 'sqlite', m(9000, { p99Ms: 5 }))], 'verify-key', 'sqlite').status).toBe('missed');
  });

  it('judges the lower of raw and per-core ratios', () => {
    // Raw 0.8× the ceiling, but the ceiling used only half a core: 0.4× per core.
    const g = goal([ok('ceiling', 'ceiling', m(10000, { serverCpu: 0.5 })), ok('verify-key', 'sqlite', m(8000))], 'verify-key', 'sqlite');
    expect(g.status).toBe('missed');
    expect(g.measured).toContain('0.40× ceiling (raw 0.80, per core 0.40)');
  });

  it('the cold goal compares the largest key set with the smallest and bounds RSS', () => {
    const small = ok('verify-key-cold', 'postgres', m(100, { p50Ms: 2 }), { keys: 1000 });
    expect(goal([small, ok('verify-key-cold', 'postgres', m(100, { p50Ms: 3, rssMb: 399 }), { keys: 1_000_000 })], 'verify-key-cold', 'postgres')).toMatchObject({
      status: 'met',
      measured: '1M keys: 1.50× p50 vs 1k keys, RSS 399 MB',
    });
    expect(goal([small, ok('verify-key-cold', 'postgres', m(100, { p50Ms: 3.1 }), { keys: 1_000_000 })], 'verify-key-cold', 'postgres').status).toBe('missed');
    expect(goal([small, ok('verify-key-cold', 'postgres', m(100, { p50Ms: 2, rssMb: 400 }), { keys: 1_000_000 })], 'verify-key-cold', 'postgres').status).toBe('missed');
    expect(goal([small], 'verify-key-cold', 'postgres').status).toBe('not run');
  });

  it('v0-auth needs 5× the peer and half the ceiling', () => {
    const peer = ok('v0-auth', 'peer', m(1000));
    expect(goal([ceiling, peer, ok('v0-auth', 'sqlite', m(5000))], 'v0-auth', 'sqlite').status).toBe('met');
    expect(goal([ceiling, peer, ok('v0-auth', 'sqlite', m(4999))], 'v0-auth', 'sqlite').status).toBe('missed');
    expect(goal([ceiling, ok('v0-auth', 'peer', m(100)), ok('v0-auth', 'sqlite', m(4000))], 'v0-auth', 'sqlite').status).toBe('missed');
  });

  it('refresh has an absolute floor per backend and a peer ratio', () => {
    const peer = ok('refresh', 'peer', m(600));
    expect(goal([peer, ok('refresh', 'sqlite', m(5000))], 'refresh', 'sqlite').status).toBe('met');
    expect(goal([peer, ok('refresh', 'postgres', m(2000))], 'refresh', 'postgres').status).toBe('met');
    expect(goal([peer, ok('refresh', 'sqlite', m(4999))], 'refresh', 'sqlite').status).toBe('missed');
    expect(goal([ok('refresh', 'peer', m(2000)), ok('refresh', 'postgres', m(5000))], 'refresh', 'postgres').status).toBe('missed');
  });

  it('a pending, failed or missing row is reported as such, never as met', () => {
    expect(goal([pending('introspect', 'sqlite', 'no routes'), ok('introspect', 'peer', m(1))], 'introspect', 'sqlite').status).toBe('pending');
    expect(goal([failed('introspect', 'sqlite', 'crashed')], 'introspect', 'sqlite').status).toBe('failed');
    expect(goal([], 'introspect', 'sqlite').status).toBe('not run');
    expect(goal([ok('introspect', 'sqlite', m(100))], 'introspect', 'sqlite').status).toBe('missed');
  });

  it('verify-lib is judged on gatehouse/verify (memo off) against raw node:crypto', () => {
    const raw = ok('verify-lib', 'lib', m(10000), { variant: 'node:crypto' });
    expect(goal([raw, ok('verify-lib', 'lib', m(8000), { variant: 'gatehouse/verify' })], 'verify-lib', 'lib').status).toBe('met');
    const rows = [raw, ok('verify-lib', 'lib', m(9000), { variant: 'jose' }), ok('verify-lib', 'lib', m(900000), { variant: 'gatehouse/verify (memo)' })];
    expect(goal([...rows, ok('verify-lib', 'lib', m(7000), { variant: 'gatehouse/verify' })], 'verify-lib', 'lib').status).toBe('missed');
    expect(goal([raw, pending('verify-lib', 'lib', 'not built yet', 'gatehouse/verify')], 'verify-lib', 'lib').status).toBe('pending');
  });

  it('lists every goal for both backends, one line each', () => {
    const goals = evaluateGoals([], 50);
    expect(goals).toHaveLength(13);
    expect(formatGoals(goals).split('\n')[0]).toBe('not run  verify-key sqlite: ≥ 70% of ceiling, p99 < 5 ms at 50 connections');
  });
});
