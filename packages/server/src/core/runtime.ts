/**
 * The runtime: everything a request needs, composed once from the configuration by
 * `runtime.ts` (`buildRuntime`) and passed to routes and core functions alike. Issuer,
 * audience, prefixes and lifetimes are read from `config`, never copied around; anything
 * several instances must agree on is a port (`ports.ts`).
 */
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import type { JwtMemo } from './jwt-memo.js';
import type { KeyVerifier } from './key-verifier.js';
import type { Keyset } from './keyset.js';
import type { AccessTokenVerifier } from './oauth/access-token-verifier.js';
import type { Metrics } from './metrics.js';
import type { ClientCache } from './oauth/client-cache.js';
import type { Limiter, RevocationBus, UsageSink } from './ports.js';
import type { ScopeRegistry } from './scopes.js';
import type { SecretBox } from './secret-box.js';

export interface Runtime {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  readonly clock: Clock;
  readonly scopes: ScopeRegistry;
  /** Ports. */
  readonly limiter: Limiter;
  readonly revocations: RevocationBus;
  readonly usage: UsageSink;
  /** Hot-path verifiers and caches (no database write; on a hit, no read). */
  readonly apiKeys: KeyVerifier;
  readonly accessTokens: AccessTokenVerifier;
  readonly clients: ClientCache;
  readonly jwtMemo: JwtMemo;
  /** Signing keys, sealed at rest by the server secret. */
  readonly box: SecretBox;
  readonly keyset: Keyset;
  /** Counters and histograms for `/metrics`; does nothing unless metrics are enabled. */
  readonly metrics: Metrics;
}
