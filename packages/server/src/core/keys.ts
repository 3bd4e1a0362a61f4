/**
 * API-key rules: create, list, roll with a grace period, revoke. A key is a public key_id
 * plus one or more secrets (`sk_…`); after a roll the old secret keeps working until the
 * grace period ends. Only SHA-256 digests of secrets reach the store.
 */
import { issueSecret, publicId } from './credentials.js';
import { type Actor, audit } from './context.js';
import type { Runtime } from './runtime.js';
import { forbidden, invalidRequest, notFound } from './errors.js';
import { assertKnown, normalize } from './scopes.js';
import type { ApiKeyRecord } from './model/api-key.js';

export const MAX_GRACE_MS = 7 * 86_400_000;
export const GRACE_CHOICES_MS = [0, 3_600_000, 86_400_000, MAX_GRACE_MS] as const;
export const MAX_NAME_LENGTH = 100;

export type KeyStatus = 'active' | 'expired' | 'revoked';

export function keyStatus(key: ApiKeyRecord, now: number): KeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'active';
}

export interface CreateKeyInput {
  ownerId: string;
  name: string;
  scopes: readonly string[];
  /** Absolute expiry, or null for a key that does not expire. */
  expiresAt: number | null;
}

export interface CreatedKey {
  key: ApiKeyRecord;
  /** The `sk_…` secret: returned once, never stored. */
  secret: string;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw invalidRequest('Key name must not be empty');
  if (trimmed.length > MAX_NAME_LENGTH) throw invalidRequest(`Key name must be at most ${MAX_NAME_LENGTH} characters`);
  return trimmed;
}

export async function createKey(rt: Runtime, actor: Actor, input: CreateKeyInput): Promise<CreatedKey> {
  const name = checkName(input.name);
  const scopes = normalize(input.scopes);
  if (scopes.length === 0) throw invalidRequest('At least one scope must be provided');
  assertKnown(rt.scopes, scopes);
  const now = rt.clock.now();
  if (input.expiresAt !== null && input.expiresAt <= now) throw invalidRequest('Expiry must be in the future');
  const issued = issueSecret(rt.config.prefixes.apiKey);
  const key: ApiKeyRecord = {
    id: publicId('key_'),
    ownerId: input.ownerId,
    name,
    scopes,
    start: issued.start,
    createdAt: now,
    expiresAt: input.expiresAt,
    revokedAt: null,
    lastUsedAt: null,
  };
  await rt.store.apiKeys.create(
    key,
    { hash: issued.hash, keyId: key.id, start: issued.start, createdAt: now, expiresAt: null },
    audit(rt, actor, 'api_key.create', key.id, key.ownerId, { name, scopes, expires_at: input.expiresAt }),
  );
  return { key, secret: issued.secret };
}

/** The key if `actor` may manage it (its owner, or an admin); 404 otherwise so ids are not an oracle. */
export async function getManagedKey(rt: Runtime, actor: Actor, keyId: string): Promise<ApiKeyRecord> {
  const key = await rt.store.apiKeys.get(keyId);
  if (!key || !actor.user || (key.ownerId !== actor.user.id && !actor.user.isAdmin)) {
    throw notFound('API key not found');
  }
  return key;
}

export async function revokeKey(rt: Runtime, actor: Actor, keyId: string): Promise<ApiKeyRecord> {
  const key = await getManagedKey(rt, actor, keyId);
  const revoked = await rt.store.apiKeys.revoke(key.id, rt.clock.now(), audit(rt, actor, 'api_key.revoke', key.id, key.ownerId));
  if (!revoked) throw notFound('API key not found');
  await rt.revocations.publish(key.id);
  return revoked;
}

export async function rollKey(rt: Runtime, actor: Actor, keyId: string, graceMs: number): Promise<CreatedKey> {
  if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_GRACE_MS) {
    throw invalidRequest('Grace period must be between 0 and 7 days');
  }
  const key = await getManagedKey(rt, actor, keyId);
  const now = rt.clock.now();
  if (keyStatus(key, now) !== 'active') throw forbidden(`Cannot roll an ${keyStatus(key, now)} key`);
  const issued = issueSecret(rt.config.prefixes.apiKey);
  const rolled = await rt.store.apiKeys.roll(
    key.id,
    { hash: issued.hash, keyId: key.id, start: issued.start, createdAt: now, expiresAt: null },
    now + graceMs,
    audit(rt, actor, 'api_key.roll', key.id, key.ownerId, { grace_seconds: graceMs / 1000 }),
  );
  if (!rolled) throw forbidden('Cannot roll a revoked key');
  await rt.revocations.publish(key.id);
  return { key: rolled, secret: issued.secret };
}

export async function listKeys(rt: Runtime, ownerId: string): Promise<ApiKeyRecord[]> {
  return rt.store.apiKeys.list({ ownerId });
}
