/** Who acts (for authorization and the audit log), and the prefixes of issued secrets. */
import type { Clock } from './clock.js';
import type { ActorType, AuditInput } from './model/audit.js';
import type { UserRecord } from './model/user.js';

export interface Prefixes {
  apiKey: string;
  accessToken: string;
  refreshToken: string;
  clientSecret: string;
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

export function audit(ctx: { readonly clock: Clock }, actor: Actor, action: string, target: string | null, subjectUserId: string | null, detail?: Record<string, unknown>): AuditInput {
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
