/**
 * The in-process verifier as the `@gatehouse/verify` library's `Verifier`, for resource servers
 * mounted inside this process through the library's adapters (the sample API). This is the
 * library boundary: a credential that does not verify becomes the library's `invalid_token`
 * with the same detail; internal failures propagate unchanged. Gatehouse's own routes call
 * `verifyCredential` and keep its GatehouseErrors.
 */
import { type Verifier, invalidToken } from '@gatehouse/verify';
import { verifyCredential } from '../core/credential-verifier.js';
import { GatehouseError } from '../core/errors.js';
import type { Runtime } from '../core/runtime.js';

export function localVerifier(rt: Runtime): Verifier {
  return {
    async verify(token) {
      try {
        return await verifyCredential(rt, token);
      } catch (err) {
        if (err instanceof GatehouseError && err.code === 'unauthenticated') throw invalidToken(err.detail);
        throw err;
      }
    },
  };
}
