/** What core operations need from their surroundings: storage, time, and configured registries. */
import type { Clock } from './clock.js';
import type { ScopeRegistry } from './scopes.js';
import type { ClientRecord } from './model/client.js';
import type { Store } from '../store/store.js';
import type { ActorType, AuditInput } from './model/audit.js';
import type { UserRecord } from './model/user.js';

export interface Prefixes {
  apiKey: string;
  accessToken: string;
  refreshToken: string;
  clientSecret: string;
}

export interface CoreContext {
  store: Store;
  clock: Clock;
  scopes: ScopeRegistry;
  prefixes: Prefixes;
  /** Apps by id for client authentication, cached; without it, every lookup reads the store. */
  clients?: { get(id: string): Promise<ClientRecord | undefined> };
  /** Called after a credential (key, grant, token, app) is revoked or changed, so in-process caches drop it at once. */
  credentialChanged?: (keyId: string) => void;
}

/** Who is acting, for authorization decisions and the audit log. */
export interface Actor {
  type: ActorType;
  /** User id, key_id, or null for the system. */
  id: string | null;
  /** The account acting (a key acts for its owner). */
  user: UserRecord | null;
  ip: string | null;
}

export function audit(ctx: CoreContext, actor: Actor, action: string, target: string | null, subjectUserId: string | null, detail?: Record<string, unknown>): AuditInput {
  return {
    at: ctx.clock.now(),
    actorType: actor.type,
    actorId: actor.id,
    subjectUserId,
    action,
    target,
    ip: actor.ip,
    ...(detail ? { detail } : {}),
  };
}
