/**
 * Ports: what several instances of Gatehouse must agree on, as async interfaces. Core calls
 * them; `runtime.ts` picks the implementation (in-process ones in `adapters/memory`, the store's
 * credential-event poll in `adapters/poll`; shared ones such as Redis plug in here too). No
 * caller knows which implementation runs.
 */
export type { Clock } from './clock.js';

/** A fixed window: at most `limit` points per `windowMs`. */
export interface LimitRule {
  limit: number;
  windowMs: number;
}

/** A key and the rule it is counted under. */
export type LimitCheck = readonly [key: string, rule: LimitRule];

export interface LimitState {
  /** For `consume`: the points were counted and fit. For `peek`: one more point would fit. */
  allowed: boolean;
  /** Points left in the current window. */
  remaining: number;
  /** Until the window resets (0 when nothing is counted). */
  retryAfterMs: number;
}

/** Counters per key (an IP, an account, a key_id): brute-force throttles, and rate limits. */
export interface Limiter {
  /** Counts `points` (default 1) against `key`. */
  consume(key: string, rule: LimitRule, points?: number): Promise<LimitState>;
  /**
   * The state of each key, in order, without counting anything: the checks before a credential
   * is tried, asked together (one round trip for a shared limiter).
   */
  peek(checks: readonly LimitCheck[]): Promise<LimitState[]>;
  /** Forgets `key` (e.g. after a successful sign-in). */
  reset(key: string): Promise<void>;
}

/**
 * "Credential changed": a key, grant, token or app was revoked, rolled or edited, so every
 * cache of it must drop it. Publishing reaches this instance's subscribers before it returns,
 * and every other instance within the implementation's documented bound.
 */
export interface RevocationBus {
  publish(id: string): Promise<void>;
  subscribe(listener: (id: string) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type UsageKind = 'api_key' | 'grant';

/**
 * Usage from the verification hot path, batched off it: `record` never does I/O; `flush` writes
 * what was recorded (last-used times today).
 */
export interface UsageSink {
  record(kind: UsageKind, id: string, at: number): void;
  flush(): Promise<void>;
  start(): Promise<void>;
  /** Stops the timer and flushes what is left. */
  stop(): Promise<void>;
}
