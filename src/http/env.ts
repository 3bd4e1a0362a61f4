/** Types shared by the HTTP layer: what every route can reach, and what middleware sets. */
import type { Config } from '../config.js';
import type { CoreContext } from '../core/context.js';
import type { KeyVerifier } from '../core/key-verifier.js';
import type { Keyset } from '../core/keyset.js';
import type { Throttle } from '../core/throttle.js';
import type { Logger } from '../log.js';
import type { UserRecord } from '../store/store.js';

export interface Services {
  config: Config;
  core: CoreContext;
  keys: KeyVerifier;
  keyset: Keyset;
  throttle: Throttle;
  log: Logger;
}

/** The authenticated caller of a /v1 route. */
export interface Principal {
  userId: string;
  scopes: readonly string[];
  via: 'session' | 'api_key' | 'jwt';
  /** The API key behind the credential (for a JWT: its client_id). */
  keyId: string | null;
  /** Present for sessions; API-key callers load it only when a route needs it. */
  user: UserRecord | null;
}

export interface AppEnv {
  Variables: {
    principal: Principal;
    sessionUser: UserRecord | null;
  };
}
