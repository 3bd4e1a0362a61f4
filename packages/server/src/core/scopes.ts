/** The scope registry and scope-set operations. Scopes are case-sensitive tokens (RFC 6749 §3.3). */
import { invalidRequest } from './errors.js';

export type ScopeRegistry = ReadonlyMap<string, string>;

export const DEFAULT_SCOPES: Readonly<Record<string, string>> = {
  read: 'Read resources',
  write: 'Create and modify resources',
  delete: 'Delete resources',
  admin: 'Admin functions',
};

export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function createRegistry(entries: Readonly<Record<string, string>>): ScopeRegistry {
  return new Map(Object.entries(entries));
}

/** Splits a space-separated scope string; empty tokens are dropped, duplicates removed. */
export function parseScopeString(text: string): string[] {
  return normalize(text.split(' ').filter((s) => s.length > 0));
}

/** Duplicates removed, registry order is not imposed: first occurrence wins. */
export function normalize(scopes: readonly string[]): string[] {
  return [...new Set(scopes)];
}


/** Throws 400 naming every scope the registry does not know. */
export function assertKnown(registry: ScopeRegistry, scopes: readonly string[]): void {
  const unknown = scopes.filter((s) => !registry.has(s));
  if (unknown.length > 0) {
    throw invalidRequest(`Unknown scope: ${unknown.join(' ')}`, { unknown_scopes: unknown });
  }
}

/** Scopes in `wanted` that `held` does not contain. */
export function missing(held: readonly string[], wanted: readonly string[]): string[] {
  const set = new Set(held);
  return wanted.filter((s) => !set.has(s));
}

