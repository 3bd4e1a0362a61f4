/** Types shared by the HTTP layer: what middleware sets on each request. Routes receive the `Runtime`. */
import type { UserRecord } from '../core/model/user.js';

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
