/**
 * What the SDK takes from its environment, injectable for tests: the `fetch` to call, the
 * clock (`now`, in milliseconds) and `sleep`. Defaults are the platform's own, so the same
 * code runs in Node ≥ 20 and in browsers.
 */
import { type RetryOptions, type RetryPolicy, retryPolicy } from './retry.js';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface RuntimeOptions {
  /** A `fetch` implementation (default: the global one). */
  fetch?: FetchLike | undefined;
  /** The clock in milliseconds since the epoch (default: `Date.now`). Token expiry is computed with it. */
  now?: (() => number) | undefined;
  /** How to wait before a retry (default: `setTimeout`). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Retries of 429 answers (see retry.ts). */
  retry?: RetryOptions | undefined;
}

export interface Runtime {
  fetch: FetchLike;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  retry: RetryPolicy;
}

export function resolveRuntime(options: RuntimeOptions = {}): Runtime {
  return {
    // Called through globalThis: browsers throw "Illegal invocation" for a detached fetch.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: options.now ?? (() => Date.now()),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    retry: retryPolicy(options.retry),
  };
}
