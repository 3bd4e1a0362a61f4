/**
 * `gatehouse/client`: call an API protected by Gatehouse with an API key, a key pair or as an
 * OAuth app. Fetch only, no dependencies, no Node-only imports: it runs in Node ≥ 20 and in
 * browsers. Guide: docs/client.md.
 */
export { Gatehouse, type GatehouseBaseOptions, type GatehouseOptions, type JsonRequestInit } from './gatehouse.js';
export { type AuthorizationRequest, GatehouseOAuth, type GatehouseOAuthOptions, type OAuthClientOptions } from './oauth.js';
export type { KeyPairOptions } from './key-pair.js';
export type { CredentialSource } from './credentials.js';
export type { AuthorizationServerMetadata } from './discovery.js';
export type { ClientAuthMethod } from './token-endpoint.js';
export {
  type ApiErrorFields,
  GatehouseApiError,
  GatehouseClientError,
  GatehouseOAuthError,
  type OAuthErrorFields,
} from './errors.js';
export { MemoryTokenStore, type TokenSet, type TokenStore, WebStorageTokenStore, type WebStorageLike } from './storage.js';
export { DEFAULT_MAX_DELAY_MS, DEFAULT_MAX_RETRIES, type RetryOptions, parseRetryAfter } from './retry.js';
export type { FetchLike, RuntimeOptions } from './runtime.js';
export { type PkcePair, codeChallengeS256, createPkce } from './pkce.js';
export { SingleFlight } from './single-flight.js';
