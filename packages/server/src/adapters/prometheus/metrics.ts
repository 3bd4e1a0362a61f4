/**
 * Metrics in the Prometheus text format, through `prom-client`, on a registry of this runtime's
 * own (never the library's global one, so several runtimes in one process stay apart).
 *
 * Every label value comes from a short fixed list or from the route table: the HTTP series are
 * labelled by the matched route pattern, never the raw path, so no id, secret or attacker-chosen
 * text becomes a label (and the number of series stays bounded). Lookup-cache counts and the
 * database pool are read when scraped; events are counted as they happen.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LookupStats } from '../../core/lookup-cache.js';
import type { CredentialKind, Metrics, ThrottleEntryPoint } from '../../core/metrics.js';
import type { PoolStats } from '../../store/connect.js';

export interface MetricsSources {
  /** The lookup caches by name, read at scrape time. */
  caches: Record<string, () => LookupStats>;
  /** The database pool, read at scrape time; null when the database has none (SQLite). */
  pool: () => PoolStats | null;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Seconds: the hot path answers in well under a millisecond, password checks take tens. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class PrometheusMetrics implements Metrics {
  readonly enabled = true;
  private readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly verifications: Counter<'kind' | 'result'>;
  private readonly throttles: Counter<'entry_point'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    // The process's own series (CPU, memory, event-loop lag, GC) under their usual names.
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.verifications = new Counter({
      name: 'gatehouse_credential_verifications_total',
      help: 'Bearer credentials verified, by kind (api_key, access_token, jwt) and result (valid, invalid)',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.throttles = new Counter({
      name: 'gatehouse_throttle_rejections_total',
      help: 'Attempts refused by a brute-force throttle, by entry point',
      labelNames: ['entry_point'],
      registers,
    });
    const caches = Object.entries(sources.caches);
    const cacheCounter = (name: string, help: string, read: (s: LookupStats) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['cache'],
        registers,
        collect() {
          this.reset();
          for (const [cache, stats] of caches) this.inc({ cache }, read(stats()));
        },
      });
    cacheCounter('gatehouse_lookup_cache_hits_total', 'Credential lookups answered from the in-process cache', (s) => s.hits);
    cacheCounter('gatehouse_lookup_cache_misses_total', 'Credential lookups that read the database', (s) => s.misses);
    if (sources.pool() !== null) {
      const poolGauge = (name: string, help: string, read: (p: PoolStats) => number) =>
        new Gauge({
          name,
          help,
          registers,
          collect() {
            const pool = sources.pool();
            if (pool) this.set(read(pool));
          },
        });
      poolGauge('gatehouse_db_pool_connections', 'Open connections of the PostgreSQL pool', (p) => p.total);
      poolGauge('gatehouse_db_pool_idle_connections', 'Idle connections of the PostgreSQL pool', (p) => p.idle);
      poolGauge('gatehouse_db_pool_waiting_requests', 'Queries waiting for a connection of the PostgreSQL pool', (p) => p.waiting);
    }
  }

  request(method: string, route: string, status: number, seconds: number): void {
    const m = METHODS.has(method) ? method : 'OTHER';
    this.requests.inc({ method: m, route, status: String(status) });
    this.latency.observe({ method: m, route }, seconds);
  }

  verification(kind: CredentialKind, valid: boolean): void {
    this.verifications.inc({ kind, result: valid ? 'valid' : 'invalid' });
  }

  throttled(entryPoint: ThrottleEntryPoint): void {
    this.throttles.inc({ entry_point: entryPoint });
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
