/**
 * The token endpoint's grants by `grant_type` (RFC 6749 §4, §6). A new grant is one file in this
 * directory (see grant.ts) and one line in the list below: the token endpoint dispatches
 * through `grants.get`, builds and documents its form from `grants.parameters()`, and the
 * server metadata advertises `grants.types` (RFC 8414 §2 `grant_types_supported`).
 *
 * There is no implicit or password grant, and there never will be (OAuth 2.1 §1.3; RFC 9700
 * §2.4): asking for one is `unsupported_grant_type` like any other unknown value.
 */
import { oauthError } from '../../errors.js';
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import type { Grant } from './grant.js';
import { refreshTokenGrant } from './refresh-token.js';

export type { Grant, GrantParams } from './grant.js';

/** A token-endpoint parameter that some grant reads, described for the API reference. */
export interface GrantParameter {
  name: string;
  description: string;
}

export class GrantRegistry {
  readonly #byType = new Map<string, Grant>();

  constructor(list: readonly Grant[]) {
    for (const grant of list) {
      if (this.#byType.has(grant.type)) throw new Error(`grant_type ${grant.type} is registered twice`);
      this.#byType.set(grant.type, grant);
    }
  }

  /** The supported `grant_type` values, in registration order. */
  get types(): string[] {
    return [...this.#byType.keys()];
  }

  /** The grant for `type`; any other value is `unsupported_grant_type` (RFC 6749 §5.2). */
  get(type: string): Grant {
    const grant = this.#byType.get(type);
    if (!grant) throw oauthError('unsupported_grant_type', `grant_type ${type} is not supported`);
    return grant;
  }

  /**
   * Every parameter any grant reads, once, in registration order. Its description names the
   * grants that read it: "refresh_token / client_credentials: …" when they describe it alike,
   * one clause per grant otherwise.
   */
  parameters(): GrantParameter[] {
    const byName = new Map<string, Array<{ grant: string; description: string }>>();
    for (const grant of this.#byType.values()) {
      for (const [name, description] of Object.entries<string>(grant.parameters)) {
        const uses = byName.get(name) ?? [];
        uses.push({ grant: grant.type, description });
        byName.set(name, uses);
      }
    }
    return [...byName].map(([name, uses]) => {
      const [first] = uses;
      const alike = uses.every((u) => u.description === first?.description);
      const description = alike
        ? `${uses.map((u) => u.grant).join(' / ')}: ${first?.description ?? ''}`
        : uses.map((u) => `${u.grant}: ${u.description}`).join('; ');
      return { name, description };
    });
  }
}

export const grants = new GrantRegistry([
  authorizationCodeGrant,
  refreshTokenGrant,
  clientCredentialsGrant,
]);
