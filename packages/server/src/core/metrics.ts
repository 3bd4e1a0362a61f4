/**
 * What the server counts about itself, as events from the few places that observe them: a
 * finished HTTP request (by route pattern, never the raw path), a credential verified or
 * refused, a throttle refusing an attempt. `runtime.ts` picks the implementation: Prometheus
 * (`adapters/prometheus/metrics.ts`) when `GATEHOUSE_METRICS_TOKEN` is set, otherwise
 * `noMetrics`, whose methods do nothing, so the hot path pays an empty call.
 *
 * Lookup-cache hits and misses and the database pool are not events: the implementation reads
 * them when it is scraped (`LookupCache.stats`, `Store.poolStats`).
 */

/** How a bearer credential was verified: an API key, an opaque OAuth access token, or a JWT. */
export type CredentialKind = 'api_key' | 'access_token' | 'jwt';

/** The core operations that throttle failed attempts (`throttle.ts`). */
export type ThrottleEntryPoint = 'key_exchange' | 'sign_in' | 'sign_up' | 'client_auth';

export interface Metrics {
  /** False for `noMetrics`: HTTP middleware that only feeds metrics is not mounted at all. */
  readonly enabled: boolean;
  /** A finished HTTP request: `route` is the matched pattern (`/v1/api-keys/:id`) or `unmatched`. */
  request(method: string, route: string, status: number, seconds: number): void;
  verification(kind: CredentialKind, valid: boolean): void;
  throttled(entryPoint: ThrottleEntryPoint): void;
  /** The exposition text and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const nothing = () => {};

export const noMetrics: Metrics = {
  enabled: false,
  request: nothing,
  verification: nothing,
  throttled: nothing,
  scrape: async () => ({ contentType: 'text/plain; charset=utf-8', body: '' }),
};
