/**
 * One load measurement with autocannon, driven programmatically: a warm-up run (discarded)
 * then a measured run with a fixed number of connections for a fixed time. Latency is taken
 * from every expected response with microsecond resolution (autocannon's own histogram is in
 * whole milliseconds); RSS is the peak of samples taken while the load runs; CPU is the
 * server's share of one core, which shows whether the server or the load generator was the
 * bottleneck.
 */
import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { ServerProcess } from './proc.js';
import type { Measured } from './report.js';

export interface LoadSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** A request pipeline built fresh for each run (for per-run state such as token pools). */
  requests?: () => autocannon.Request[];
  /** Statuses that count as a success. */
  expect: readonly number[];
  /** Responses per unit of work (2 for authorize + token); default 1. */
  perUnit?: number;
}

export interface LoadOptions {
  connections: number;
  durationSec: number;
  warmupSec: number;
}

/** One measured run: the row's numbers (report.ts `Measured`) with every status and the duration. */
export interface Measurement extends Measured {
  statuses: Record<string, number>;
  seconds: number;
}

interface Run {
  result: autocannon.Result;
  good: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

async function runOnce(url: string, spec: LoadSpec, connections: number, durationSec: number): Promise<Run> {
  const expected = new Set(spec.expect);
  const histogram = createHistogram();
  const statuses: Record<string, number> = {};
  let good = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: durationSec,
        // autocannon checks for the end of a run on sample ticks (default 1 s, which would turn
        // a 0.2 s warm-up into 1 s); the samples themselves are not used.
        sampleInt: 100,
        timeout: 10,
        method: spec.method,
        ...(spec.headers ? { headers: spec.headers } : {}),
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        requests: spec.requests ? spec.requests() : [{ method: spec.method, path: spec.path }],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (!expected.has(status)) return;
      good++;
      histogram.record(Math.max(1, Math.round(ms * 1000)));
    });
  });
  const us = (p: number) => (good > 0 ? histogram.percentile(p) / 1000 : Number.NaN);
  return { result, good, statuses, p50Ms: us(50), p99Ms: us(99) };
}

export async function measure(server: ServerProcess, spec: LoadSpec, opts: LoadOptions): Promise<Measurement> {
  if (opts.warmupSec > 0) await runOnce(server.url, spec, opts.connections, opts.warmupSec);
  let peakRss = server.sample().rssBytes;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, server.sample().rssBytes);
  }, 200);
  const before = server.sample();
  const loadBefore = process.cpuUsage();
  const started = performance.now();
  let run: Run;
  try {
    run = await runOnce(server.url, spec, opts.connections, opts.durationSec);
  } finally {
    clearInterval(timer);
  }
  const wall = (performance.now() - started) / 1000;
  const after = server.sample();
  const load = process.cpuUsage(loadBefore);
  peakRss = Math.max(peakRss, after.rssBytes);
  const seconds = run.result.duration > 0 ? run.result.duration : wall;
  const responses = Object.values(run.statuses).reduce((a, b) => a + b, 0);
  return {
    rps: run.good / (spec.perUnit ?? 1) / seconds,
    p50Ms: run.p50Ms,
    p99Ms: run.p99Ms,
    rssMb: peakRss / 1024 / 1024,
    serverCpu: (after.cpuSeconds - before.cpuSeconds) / wall,
    loadCpu: (load.user + load.system) / 1e6 / wall,
    responses,
    bad: responses - run.good + run.result.errors + run.result.timeouts,
    statuses: run.statuses,
    seconds,
  };
}
