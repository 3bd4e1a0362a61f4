/**
 * Accounts: a user, the console sessions it signs in with, and the invites that admit new
 * users when sign-up is by invitation. All timestamps are milliseconds since the epoch.
 */

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  isAdmin: boolean;
  createdAt: number;
}

/** What must hold for a new account to be created, checked atomically with the insert. */
export type SignupGate = { kind: 'open' } | { kind: 'first-only' } | { kind: 'invite'; inviteHash: string };

export interface InviteRecord {
  hash: string;
  /** When set, only this email may use the invite. */
  email: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface SessionRecord {
  tokenHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}
