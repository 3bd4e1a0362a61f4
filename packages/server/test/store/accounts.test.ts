/**
 * The shared storage suite, accounts: users with their sign-up gates (atomic, also under
 * concurrency), sessions, and the store's own upkeep (migrations, ping, a schema changed under
 * it). Run against both real backends; each `describe` gets its own fresh, migrated database.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { issueSecret } from '../../src/core/credentials.js';
import { type BackendTarget, BACKENDS } from '../helpers/backends.js';
import { DAY, HOUR, T0, audit, createUser, newUser, useStore, warm } from './support.js';

/** Another process adds a column to `users` (as a newer release's migration would). */
async function alterUsers(target: BackendTarget['target']): Promise<void> {
  if ('sqlitePath' in target) {
    const db = new SQLite(target.sqlitePath);
    db.exec('alter table users add column note text');
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: target.postgresUrl });
  await client.connect();
  await client.query('alter table users add column note text');
  await client.end();
}

describe.each(BACKENDS)('Store accounts on $name', (backend) => {
  describe('accounts', () => {
    const get = useStore(backend);

    it('if-first: the first account is admin and later ones are not', async (ctx) => {
      const store = get(ctx);
      const first = await newUser(store, { admin: 'if-first' });
      const second = await newUser(store, { admin: 'if-first' });
      const explicit = await newUser(store, { admin: true });
      expect([first.isAdmin, second.isAdmin, explicit.isAdmin]).toEqual([true, false, true]);
      expect(await store.accounts.getUser(first.id)).toEqual(first);
      expect(await store.accounts.findUserByEmail(second.email)).toEqual(second);
      expect(await store.accounts.getUser('usr_nobody')).toBeUndefined();
      expect(await store.accounts.findUserByEmail('nobody@example.com')).toBeUndefined();
      const [entry] = await store.audit.list({ subjectUserId: first.id, limit: 10 });
      expect(entry).toMatchObject({ action: 'user.create', detail: { admin: true } });
    });

    it('a taken email is a conflict and creates nothing', async (ctx) => {
      const store = get(ctx);
      const user = await newUser(store, { email: 'taken@example.com' });
      expect(await createUser(store, { email: 'taken@example.com' })).toEqual({ status: 'email-taken' });
      expect((await store.accounts.findUserByEmail('taken@example.com'))?.id).toBe(user.id);
    });

    it('gate first-only refuses once an account exists', async (ctx) => {
      const store = get(ctx);
      await newUser(store);
      expect(await createUser(store, { email: 'late@example.com', gate: { kind: 'first-only' } })).toEqual({ status: 'signup-closed' });
      expect(await store.accounts.findUserByEmail('late@example.com')).toBeUndefined();
    });

    it('gate invite consumes an invite exactly once', async (ctx) => {
      const store = get(ctx);
      await newUser(store);
      const hash = issueSecret('inv_').hash;
      await store.accounts.createInvite({ hash, email: null, createdAt: T0, expiresAt: T0 + DAY }, audit('invite.create'));
      const invited = await newUser(store, { gate: { kind: 'invite', inviteHash: hash }, at: T0 + HOUR });
      expect(invited.isAdmin).toBe(false);
      expect(await createUser(store, { email: 'again@example.com', gate: { kind: 'invite', inviteHash: hash } })).toEqual({ status: 'invite-invalid' });
      expect(await store.accounts.findUserByEmail('again@example.com')).toBeUndefined();
      expect(await createUser(store, { gate: { kind: 'invite', inviteHash: 'unknown' } })).toEqual({ status: 'invite-invalid' });
    });

    it('gate invite refuses an expired invite and another email than the invited one', async (ctx) => {
      const store = get(ctx);
      await newUser(store);
      const expired = issueSecret('inv_').hash;
      await store.accounts.createInvite({ hash: expired, email: null, createdAt: T0, expiresAt: T0 + HOUR }, audit('invite.create'));
      expect(await createUser(store, { gate: { kind: 'invite', inviteHash: expired }, at: T0 + HOUR })).toEqual({ status: 'invite-invalid' });
      const bound = issueSecret('inv_').hash;
      await store.accounts.createInvite({ hash: bound, email: 'carol@example.com', createdAt: T0, expiresAt: T0 + DAY }, audit('invite.create'));
      expect(await createUser(store, { email: 'mallory@example.com', gate: { kind: 'invite', inviteHash: bound } })).toEqual({ status: 'invite-invalid' });
      expect(await store.accounts.findUserByEmail('mallory@example.com')).toBeUndefined();
      const carol = await newUser(store, { email: 'carol@example.com', gate: { kind: 'invite', inviteHash: bound } });
      expect(carol.email).toBe('carol@example.com');
    });

    it('concurrent sign-ups with one invite: exactly one succeeds', async (ctx) => {
      const store = get(ctx);
      await newUser(store);
      const hash = issueSecret('inv_').hash;
      await store.accounts.createInvite({ hash, email: null, createdAt: T0, expiresAt: T0 + DAY }, audit('invite.create'));
      await warm(store);
      const results = await Promise.all(Array.from({ length: 5 }, () => createUser(store, { gate: { kind: 'invite', inviteHash: hash } })));
      expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'invite-invalid')).toHaveLength(4);
    });
  });

  describe('concurrent first sign-ups (if-first)', () => {
    const get = useStore(backend);
    it('yield exactly one admin', async (ctx) => {
      const store = get(ctx);
      await warm(store);
      const users = await Promise.all(Array.from({ length: 6 }, () => newUser(store, { admin: 'if-first' })));
      expect(users).toHaveLength(6);
      expect(users.filter((u) => u.isAdmin)).toHaveLength(1);
    });
  });

  describe('concurrent first sign-ups (first-only)', () => {
    const get = useStore(backend);
    it('let exactly one through', async (ctx) => {
      const store = get(ctx);
      await warm(store);
      const results = await Promise.all(Array.from({ length: 4 }, () => createUser(store, { admin: 'if-first', gate: { kind: 'first-only' } })));
      expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'signup-closed')).toHaveLength(3);
    });
  });

  describe('sessions', () => {
    const get = useStore(backend);
    it('are found with their user until they expire, and deleted on request', async (ctx) => {
      const store = get(ctx);
      const user = await newUser(store);
      const tokenHash = issueSecret('ses_').hash;
      await store.accounts.createSession({ tokenHash, userId: user.id, createdAt: T0, expiresAt: T0 + HOUR });
      expect(await store.accounts.findSession(tokenHash, T0)).toEqual({ session: { tokenHash, userId: user.id, createdAt: T0, expiresAt: T0 + HOUR }, user });
      expect((await store.accounts.findSession(tokenHash, T0 + HOUR - 1))?.user.id).toBe(user.id);
      expect(await store.accounts.findSession(tokenHash, T0 + HOUR)).toBeUndefined();
      expect(await store.accounts.findSession('unknown', T0)).toBeUndefined();
      await store.accounts.deleteSession(tokenHash);
      expect(await store.accounts.findSession(tokenHash, T0)).toBeUndefined();
      await store.accounts.deleteSession(tokenHash);
    });
  });

  describe('a schema change made by another process while the store runs', () => {
    const get = useStore(backend);
    it('keeps answering the reads it prepared before the change', async (ctx) => {
      const store = get(ctx);
      const owner = await newUser(store);
      const readAll = () => Promise.all(Array.from({ length: 12 }, () => store.accounts.getUser(owner.id)));
      // Several pooled connections now hold the statement prepared.
      for (const user of await readAll()) expect(user).toEqual(owner);
      await alterUsers(get.target());
      for (const user of await readAll()) expect(user).toEqual(owner);
    });
  });

  describe('maintenance', () => {
    const get = useStore(backend);
    it('migrate() again is a no-op that keeps data; ping() answers', async (ctx) => {
      const store = get(ctx);
      expect(store.kind).toBe(backend.name);
      const user = await newUser(store);
      await store.migrate();
      await store.migrate();
      expect(await store.accounts.getUser(user.id)).toEqual(user);
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
});
