/** The audit log: who did what, when, from where. An entry never holds a secret. */

export type ActorType = 'user' | 'api_key' | 'cli' | 'system';

/** What an audit entry records: who, what, when (milliseconds since the epoch), from where. */
export interface AuditInput {
  at: number;
  actorType: ActorType;
  actorId: string | null;
  /** The account whose resources were changed; used to scope what a user may read. */
  subjectUserId: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  id: number;
  detail: Record<string, unknown>;
}
