/**
 * Console accounts: sign-up (the first account becomes the admin), sign-in with throttling
 * per account and per IP, and sessions. A failed sign-in says only "Invalid email or
 * password", and an unknown email costs the same argon2 work as a wrong password.
 */
import { hashSecret, issueSecret, publicId, randomBase62 } from './credentials.js';
import { type Actor, audit } from './context.js';
import type { Runtime } from './runtime.js';
import { conflict, forbidden, invalidRequest, unauthenticated } from './errors.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { type ThrottleRule, assertNotThrottled, countFailure } from './throttle.js';
import type { SignupGate, UserRecord } from './model/user.js';

export type SignupMode = 'open' | 'invite' | 'closed';

export const LOGIN_FAILED = 'Invalid email or password';
export const EMAIL_TAKEN = 'An account with this email already exists';
export const SIGNUP_CLOSED = 'Sign-up is closed on this server; ask an administrator for an account';
export const INVITE_INVALID = 'This invite is invalid, used or expired';
export const SESSION_TTL_MS = 7 * 86_400_000;
const PER_ACCOUNT: ThrottleRule = { limit: 5, windowMs: 15 * 60_000 };
const PER_IP: ThrottleRule = { limit: 30, windowMs: 15 * 60_000 };
const SIGNUP_PER_IP: ThrottleRule = { limit: 20, windowMs: 60 * 60_000 };

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!EMAIL.test(e)) throw invalidRequest('Enter a valid email address', { field: 'email' });
  return e;
}

export function checkPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalidRequest(`Password must be at least ${MIN_PASSWORD_LENGTH} characters`, { field: 'password' });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw invalidRequest(`Password must be at most ${MAX_PASSWORD_LENGTH} characters`, { field: 'password' });
  }
}

export interface NewUser {
  email: string;
  password: string;
  /** `'if-first'` for console sign-up; explicit for the CLI. */
  admin: boolean | 'if-first';
  gate?: SignupGate;
}

export async function createUser(rt: Runtime, actor: Actor, input: NewUser): Promise<UserRecord> {
  const email = normalizeEmail(input.email);
  checkPasswordPolicy(input.password);
  const id = publicId('usr_');
  // The store checks the gate and the email atomically with the insert; the refusals are ours.
  const result = await rt.store.accounts.createUser(
    {
      id,
      email,
      passwordHash: await hashPassword(input.password),
      createdAt: rt.clock.now(),
      admin: input.admin,
      gate: input.gate ?? { kind: 'open' },
    },
    audit(rt, { ...actor, id: actor.id ?? id }, 'user.create', id, id, { email }),
  );
  switch (result.status) {
    case 'created':
      return result.user;
    case 'email-taken':
      throw conflict(EMAIL_TAKEN);
    case 'signup-closed':
      throw forbidden(SIGNUP_CLOSED);
    case 'invite-invalid':
      throw forbidden(INVITE_INVALID);
  }
}

/**
 * Console sign-up under the configured mode: `open` admits anyone; `invite` needs an unused
 * invite (`gatehouse users invite`); `closed` admits nobody. Under every mode the very first
 * account may sign up, so a fresh deployment can create its admin from the console.
 */
export async function signUp(
  rt: Runtime,
  mode: SignupMode,
  ip: string | null,
  input: { email: string; password: string; invite?: string | undefined },
): Promise<UserRecord> {
  // Every attempt counts: this bounds account creation and email probing from one address.
  const ipKey = `signup:ip:${ip ?? 'unknown'}`;
  await assertNotThrottled(rt, 'sign_up', [ipKey, SIGNUP_PER_IP]);
  await countFailure(rt.limiter, [ipKey, SIGNUP_PER_IP]);
  const gate: SignupGate =
    mode === 'open'
      ? { kind: 'open' }
      : mode === 'invite' && input.invite
        ? { kind: 'invite', inviteHash: hashSecret(input.invite) }
        : { kind: 'first-only' };
  return createUser(rt, { type: 'user', id: null, user: null, ip }, { email: input.email, password: input.password, admin: 'if-first', gate });
}


export interface CreatedInvite {
  /** The invite secret: shown once, stored only as a digest. */
  token: string;
  expiresAt: number;
}

export async function createInvite(rt: Runtime, actor: Actor, email: string | null, ttlMs: number): Promise<CreatedInvite> {
  const issued = issueSecret('inv_');
  const now = rt.clock.now();
  const normalized = email === null ? null : normalizeEmail(email);
  await rt.store.accounts.createInvite(
    { hash: issued.hash, email: normalized, createdAt: now, expiresAt: now + ttlMs },
    audit(rt, actor, 'invite.create', issued.start, null, { email: normalized }),
  );
  return { token: issued.secret, expiresAt: now + ttlMs };
}

/** Checks a password sign-in; throws 401 with the one generic message, or 429 when throttled. */
export async function signIn(rt: Runtime, ip: string | null, email: string, password: string): Promise<UserRecord> {
  const accountKey = `login:acct:${email.trim().toLowerCase().slice(0, 320)}`;
  const ipKey = `login:ip:${ip ?? 'unknown'}`;
  await assertNotThrottled(rt, 'sign_in', [ipKey, PER_IP], [accountKey, PER_ACCOUNT]);
  const normalized = email.trim().toLowerCase();
  const user = EMAIL.test(normalized) ? await rt.store.accounts.findUserByEmail(normalized) : undefined;
  let ok = false;
  if (user) ok = await verifyPassword(user.passwordHash, password);
  else await burnPasswordCheck(password);
  if (!user || !ok) {
    await countFailure(rt.limiter, [ipKey, PER_IP], [accountKey, PER_ACCOUNT]);
    await rt.store.audit.append(
      audit(rt, { type: 'user', id: user?.id ?? null, user: null, ip }, 'session.login_failed', null, user?.id ?? null),
    );
    throw unauthenticated(LOGIN_FAILED);
  }
  await rt.limiter.reset(accountKey);
  return user;
}

export interface NewSession {
  /** The cookie value: shown to the browser only. */
  token: string;
  expiresAt: number;
}

export async function startSession(rt: Runtime, user: UserRecord, ip: string | null): Promise<NewSession> {
  const token = randomBase62(43);
  const now = rt.clock.now();
  const expiresAt = now + SESSION_TTL_MS;
  await rt.store.accounts.createSession({ tokenHash: hashSecret(token), userId: user.id, createdAt: now, expiresAt });
  await rt.store.audit.append(audit(rt, { type: 'user', id: user.id, user, ip }, 'session.login', null, user.id));
  return { token, expiresAt };
}

export async function resolveSession(rt: Runtime, token: string): Promise<UserRecord | undefined> {
  if (!/^[0-9A-Za-z]{43}$/.test(token)) return undefined;
  const found = await rt.store.accounts.findSession(hashSecret(token), rt.clock.now());
  return found?.user;
}

export async function endSession(rt: Runtime, token: string): Promise<void> {
  await rt.store.accounts.deleteSession(hashSecret(token));
}
