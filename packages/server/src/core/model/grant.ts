/**
 * A grant: what a user (or, for client_credentials, the app's owner) allowed an app, and the
 * root every token issued under it hangs from; revoking it ends them all. Epoch milliseconds.
 */

export interface GrantRecord {
  id: string;
  clientId: string;
  /** The user who consented; null for client_credentials (the app acts for its owner). */
  userId: string | null;
  scopes: string[];
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** A grant as the console lists it, with its app's name. */
export interface GrantView extends GrantRecord {
  clientName: string;
}
