/**
 * What a grant is (RFC 6749 §4, §6): a `grant_type` value, the form parameters it reads, and a
 * handler that turns them into a token response for an already authenticated client. Grants
 * know nothing of HTTP: the token endpoint validates the form, authenticates the client, looks
 * the grant up in the registry (index.ts) and sends what the handler returns. Every failure is
 * an RFC 6749 §5.2 error.
 */
import { oauthError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../model/client.js';
import type { TokenResponse } from '../wire.js';

/**
 * The validated form parameters a grant reads. Each may be absent: which ones a grant requires
 * is its own rule (a missing one is `invalid_request`, RFC 6749 §5.2), checked after the client
 * has been authenticated.
 */
export type GrantParams<P extends string> = { readonly [K in P]?: string | undefined };

export interface Grant<P extends string = string> {
  /** The `grant_type` value that selects this grant. */
  readonly type: string;
  /**
   * The form parameters the grant reads besides `grant_type` and client authentication, each
   * with the description the API reference shows. The token endpoint's form schema is built
   * from these, so a new grant documents and validates its parameters by declaring them here.
   */
  readonly parameters: Readonly<Record<P, string>>;
  handle(rt: Runtime, client: ClientRecord, params: GrantParams<P>): Promise<TokenResponse>;
}

/** Declares a grant, inferring its parameter names from `parameters`. */
export const defineGrant = <P extends string>(grant: Grant<P>): Grant<P> => grant;

export const invalidGrant = (detail: string) => oauthError('invalid_grant', detail);
