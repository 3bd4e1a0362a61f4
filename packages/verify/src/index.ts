/**
 * `gatehouse/verify`: verification of Gatehouse credentials for resource servers, with
 * adapters for Hono, Express, Fastify and plain `node:http`. See docs/verify.md.
 */
export { bearerToken, MALFORMED_AUTHORIZATION, parseBearer } from './bearer.js';
export { metadataUrl } from './discovery.js';
export {
  type Challenge,
  type ChallengeOptions,
  DEFAULT_REALM,
  type ErrorBody,
  formatWwwAuthenticate,
  INVALID_TOKEN,
  insufficientScope,
  invalidToken,
  MISSING_CREDENTIALS,
  missingCredentials,
  VerifierUnavailableError,
  VerifyError,
  type VerifyErrorCode,
} from './errors.js';
export { type ExpressAuth, type ExpressMiddleware, type ExpressRequestLike, expressAuth } from './express.js';
export { type FastifyAuth, type FastifyPreHandler, type FastifyReplyLike, type FastifyRequestLike, fastifyAuth } from './fastify.js';
export { type AuthOptions, type GuardResult, guard, type Refusal, refusalFor } from './guard.js';
export { type HonoAuth, type HonoAuthEnv, honoAuth } from './hono.js';
export { VERIFY_ALGS, type VerifyAlg } from './jwks.js';
export { INVALID_JWT, JWT_TYP, looksLikeJwt } from './jwt.js';
export { type NodeAuth, type NodeRequestLike, type NodeResponseLike, nodeAuth, sendRefusal } from './node.js';
export {
  type ProtectedResourceInput,
  type ProtectedResourceMetadata,
  protectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataUrl,
} from './protected-resource.js';
export { missingScopes, parseScope, requireScopes, type ScopeCheck } from './scopes.js';
export {
  type CredentialKind,
  createVerifier,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_JWKS_COOLDOWN_MS,
  DEFAULT_JWKS_MAX_AGE_MS,
  MAX_TOKEN_LENGTH,
  type GatehouseVerifier,
  type VerifiedCredential,
  type Verifier,
  type VerifierOptions,
} from './verifier.js';
