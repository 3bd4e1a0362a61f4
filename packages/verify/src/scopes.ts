/**
 * Scope checks for resource servers. Scopes are case-sensitive, space-separated tokens
 * (RFC 6749 §3.3); a route declares what it needs and a credential must hold all of it.
 */
import { insufficientScope } from './errors.js';

/** Splits a `scope` claim or introspection field; empty tokens and duplicates are dropped. */
export function parseScope(scope: unknown): string[] {
  if (typeof scope !== 'string') return [];
  return [...new Set(scope.split(' ').filter((s) => s.length > 0))];
}

/** Scopes in `wanted` that `held` does not contain. */
export function missingScopes(held: readonly string[], wanted: readonly string[]): string[] {
  const set = new Set(held);
  return wanted.filter((s) => !set.has(s));
}

/** A check that throws a 403 `VerifyError` naming every missing scope. */
export type ScopeCheck = (credential: { readonly scopes: readonly string[] }) => void;

/**
 * `requireScopes('write')(credential)` throws `insufficient_scope` unless the credential holds
 * every scope named. The framework adapters wrap it as middleware of the same name.
 */
export function requireScopes(...scopes: string[]): ScopeCheck {
  const wanted = [...new Set(scopes)];
  return (credential) => {
    const lacking = missingScopes(credential.scopes, wanted);
    if (lacking.length > 0) throw insufficientScope(lacking);
  };
}
