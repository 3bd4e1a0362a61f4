/**
 * OAuth applications (clients), registered by developers in the console, the API or the CLI.
 * Confidential apps get a `cs_…` secret (shown once, stored hashed); public apps have none and
 * must use PKCE.
 */
import { issueSecret, publicId } from '../credentials.js';
import { type Actor, audit } from '../context.js';
import type { Runtime } from '../runtime.js';
import { invalidRequest, notFound } from '../errors.js';
import { assertKnown, normalize } from '../scopes.js';
import type { ClientRecord, ClientType } from '../model/client.js';
import { checkRedirectUriForRegistration } from './redirect-uri.js';

export const MAX_REDIRECT_URIS = 20;
export const MAX_REFRESH_GRACE_SECONDS = 300;
/**
 * The refresh reuse window a new application gets unless it asks for another (0 = strict
 * rotation). 30 s covers a client retrying a refresh whose response was lost (its own timeout,
 * a dropped connection, a server restarted after a crash) while keeping the time in which a
 * replayed token is not treated as theft short. Applications keep the value stored for them.
 */
export const DEFAULT_REFRESH_GRACE_SECONDS = 30;

export interface ClientSettings {
  name: string;
  redirectUris: readonly string[];
  scopes: readonly string[];
  jwtAccessTokens?: boolean | undefined;
  refreshGraceSeconds?: number | undefined;
}

export interface CreatedClient {
  client: ClientRecord;
  /** The `cs_…` secret for confidential apps, shown once; null for public apps. */
  secret: string | null;
}

function checkSettings(rt: Runtime, s: ClientSettings) {
  const name = s.name.trim();
  if (name.length === 0 || name.length > 100) throw invalidRequest('Application name must be 1–100 characters');
  const redirectUris = [...new Set(s.redirectUris.map((u) => u.trim()).filter(Boolean))];
  if (redirectUris.length === 0) throw invalidRequest('At least one redirect URI is required');
  if (redirectUris.length > MAX_REDIRECT_URIS) throw invalidRequest(`At most ${MAX_REDIRECT_URIS} redirect URIs`);
  redirectUris.forEach(checkRedirectUriForRegistration);
  const scopes = normalize(s.scopes);
  if (scopes.length === 0) throw invalidRequest('At least one scope must be provided');
  assertKnown(rt.scopes, scopes);
  const grace = s.refreshGraceSeconds ?? DEFAULT_REFRESH_GRACE_SECONDS;
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_REFRESH_GRACE_SECONDS) {
    throw invalidRequest(`Refresh grace period must be 0–${MAX_REFRESH_GRACE_SECONDS} seconds`);
  }
  return { name, redirectUris, scopes, jwtAccessTokens: s.jwtAccessTokens ?? false, refreshGraceSeconds: grace };
}

export async function createClient(rt: Runtime, actor: Actor, ownerId: string, type: ClientType, settings: ClientSettings): Promise<CreatedClient> {
  const s = checkSettings(rt, settings);
  const now = rt.clock.now();
  const secret = type === 'confidential' ? issueSecret(rt.config.prefixes.clientSecret) : null;
  const client: ClientRecord = {
    id: publicId('app_'),
    ownerId,
    type,
    ...s,
    secretHash: secret?.hash ?? null,
    secretStart: secret?.start ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await rt.store.oauth.clients.create(client, audit(rt, actor, 'client.create', client.id, ownerId, { name: s.name, type }));
  return { client, secret: secret?.secret ?? null };
}

/** The app if `actor` owns it (or is an admin); 404 otherwise. */
export async function getManagedClient(rt: Runtime, actor: Actor, clientId: string): Promise<ClientRecord> {
  const client = await rt.store.oauth.clients.get(clientId);
  if (!client || !actor.user || (client.ownerId !== actor.user.id && !actor.user.isAdmin)) throw notFound('Application not found');
  return client;
}

export async function updateClient(rt: Runtime, actor: Actor, clientId: string, patch: Partial<ClientSettings>): Promise<ClientRecord> {
  const current = await getManagedClient(rt, actor, clientId);
  const s = checkSettings(rt, {
    name: patch.name ?? current.name,
    redirectUris: patch.redirectUris ?? current.redirectUris,
    scopes: patch.scopes ?? current.scopes,
    jwtAccessTokens: patch.jwtAccessTokens ?? current.jwtAccessTokens,
    refreshGraceSeconds: patch.refreshGraceSeconds ?? current.refreshGraceSeconds,
  });
  const next: ClientRecord = { ...current, ...s, updatedAt: rt.clock.now() };
  await rt.store.oauth.clients.update(next, audit(rt, actor, 'client.update', clientId, current.ownerId, { fields: Object.keys(patch) }));
  await rt.revocations.publish(clientId);
  return next;
}

export async function rotateClientSecret(rt: Runtime, actor: Actor, clientId: string): Promise<CreatedClient> {
  const current = await getManagedClient(rt, actor, clientId);
  if (current.type !== 'confidential') throw invalidRequest('Public applications have no secret');
  const secret = issueSecret(rt.config.prefixes.clientSecret);
  const next: ClientRecord = { ...current, secretHash: secret.hash, secretStart: secret.start, updatedAt: rt.clock.now() };
  await rt.store.oauth.clients.update(next, audit(rt, actor, 'client.rotate_secret', clientId, current.ownerId));
  await rt.revocations.publish(clientId);
  return { client: next, secret: secret.secret };
}

export async function deleteClient(rt: Runtime, actor: Actor, clientId: string): Promise<void> {
  const current = await getManagedClient(rt, actor, clientId);
  const now = rt.clock.now();
  await rt.store.oauth.clients.delete(clientId, now, audit(rt, actor, 'client.delete', clientId, current.ownerId));
  await rt.revocations.publish(clientId);
}

/** A user withdraws an app's access: every grant (and its tokens) is revoked, consent forgotten. */
export async function revokeAuthorization(rt: Runtime, actor: Actor & { user: { id: string } }, clientId: string): Promise<number> {
  const client = await rt.store.oauth.clients.get(clientId);
  if (!client) throw notFound('Application not found');
  const ids = await rt.store.oauth.grants.revokeAppAccess(actor.user.id, clientId, rt.clock.now(), audit(rt, actor, 'grant.revoke', clientId, actor.user.id, { client_id: clientId }));
  for (const id of ids) await rt.revocations.publish(id);
  return ids.length;
}
