/** User-facing messages shared between core rules and the store that enforces them atomically. */
export const SIGNUP_CLOSED = 'Sign-up is closed on this server; ask an administrator for an account';
export const INVITE_INVALID = 'This invite is invalid, used or expired';
