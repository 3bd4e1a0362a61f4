/** Types shared by the HTTP layer: what every route can reach, and what middleware sets. */
import type { Config } from '../config.js';
import type { CoreContext } from '../core/context.js';
import type { KeyVerifier } from '../core/key-verifier.js';
import type { JwtMemo } from '../core/jwt-memo.js';
import type { Keyset } from '../core/keyset.js';
import type { AccessTokenVerifier } from '../core/oauth/access-token-verifier.js';
import type { SecretBox } from '../core/secret-box.js';
import type { Throttle } from '../core/throttle.js';
import type { Logger } from '../log.js';
import type { UserRecord } from '../core/model/user.js';

export interface Services {
  config: Config;
  core: CoreContext;
  keys: KeyVerifier;
  keyset: Keyset;
  /** Verified JWTs, remembered until they expire. */
  jwtMemo: JwtMemo;
  accessTokens: AccessTokenVerifier;
  box: SecretBox;
  throttle: Throttle;
  log: Logger;
  /** Stops background timers owned by the services. */
  stop(): void;
}

/** The authenticated caller of a /v1 route. */
export interface Principal {
  userId: string;
  scopes: readonly string[];
  via: 'session' | 'api_key' | 'jwt' | 'oauth';
  /** The API key or OAuth app behind the credential (for a JWT: its client_id). */
  keyId: string | null;
  /** Present for sessions; API-key callers load it only when a route needs it. */
  user: UserRecord | null;
}

export interface AppEnv {
  Variables: {
    principal: Principal;
    sessionUser: UserRecord | null;
    /** Extra CSP form-action sources for this response (an OAuth app's redirect origin). */
    formTargets: string[];
  };
}
