/**
 * 429 handling: wait as long as `Retry-After` says (RFC 9110 §10.2.3: delay-seconds or an
 * HTTP-date), then try again — at most `maxRetries` times, and never waiting longer than
 * `maxDelayMs`. When the server asks for a longer wait than that, retrying sooner would only be
 * refused again, so the 429 is returned at once and surfaces as a typed error with
 * `retryAfter`. Without a `Retry-After` header the waits are 1 s, 2 s, 4 s … (also capped).
 * Only requests whose body can be sent again are retried (not streams).
 */
import type { Runtime } from './runtime.js';

export interface RetryOptions {
  /** Retries after a 429 (default 2; 0 disables retrying). */
  maxRetries?: number | undefined;
  /** The longest single wait in milliseconds (default 10 000). */
  maxDelayMs?: number | undefined;
}

export interface RetryPolicy {
  maxRetries: number;
  maxDelayMs: number;
}

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_DELAY_MS = 10_000;
const FALLBACK_DELAY_MS = 1_000;

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError('retry.maxRetries must be a non-negative integer');
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) throw new RangeError('retry.maxDelayMs must be a non-negative number');
  return { maxRetries, maxDelayMs };
}

/** Milliseconds to wait for a `Retry-After` value, or undefined when it is absent or malformed. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True when `body` can be sent more than once. */
export function isReplayable(body: RequestInit['body']): boolean {
  return !(typeof ReadableStream !== 'undefined' && body instanceof ReadableStream);
}

/** `fetch` with bounded, Retry-After-honouring retries of 429 answers. */
export async function fetchWithRetry(runtime: Runtime, url: string, init: RequestInit): Promise<Response> {
  const { maxRetries, maxDelayMs } = runtime.retry;
  const replayable = isReplayable(init.body);
  for (let attempt = 0; ; attempt++) {
    const res = await runtime.fetch(url, init);
    if (res.status !== 429 || attempt >= maxRetries || !replayable) return res;
    const delay = parseRetryAfter(res.headers.get('retry-after'), runtime.now()) ?? FALLBACK_DELAY_MS * 2 ** attempt;
    if (delay > maxDelayMs) return res;
    await res.body?.cancel();
    await runtime.sleep(delay);
  }
}
