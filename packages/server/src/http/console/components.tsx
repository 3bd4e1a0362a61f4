/**
 * What the console pages share: how a date reads, the panel that shows a new secret its one
 * time, and which errors a form shows in place instead of on the error page.
 */
import { type ErrorCode, GatehouseError } from '../../core/errors.js';

/** A UTC minute (`2026-03-01 09:00`), or '—' for never: short enough for a table cell. */
export const formatDate = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16));

/** Copies the text of the element with id `target` (the click handler is in console.js). */
export function CopyButton({ target }: { target: string }) {
  return (
    <button type="button" class="secondary" data-copy={target}>
      Copy
    </button>
  );
}

/**
 * A newly issued secret with the shown-once warning and a Copy button. Gatehouse keeps only a
 * hash, so this response is the one place the secret ever appears. `noun` names it in the
 * warning ("this key"). The fixed id is fine: a page shows at most one new secret.
 */
export function OneTimeSecret({ secret, noun }: { secret: string; noun: string }) {
  return (
    <>
      <p class="warning" role="alert">
        Copy {noun} now. It is shown <strong>only once</strong>; Gatehouse stores only a hash of it.
      </p>
      <div class="secret">
        <code id="secret-value" data-testid="new-secret">
          {secret}
        </code>
        <CopyButton target="secret-value" />
      </div>
    </>
  );
}

/**
 * The error a refused form shows in place, filled in again, with the reason: an exposed
 * GatehouseError, or only one of `codes` when given. Anything else is rethrown, so the console's
 * error page answers it (and an internal failure never shows its detail).
 */
export function formRefusal(err: unknown, options: { codes?: readonly ErrorCode[] } = {}): GatehouseError {
  if (err instanceof GatehouseError && err.expose && (options.codes === undefined || options.codes.includes(err.code))) return err;
  throw err;
}

/** Why the form it opens was refused (role=alert: screen readers announce it); nothing otherwise. */
export function FormError({ message }: { message?: string | undefined }) {
  return message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;
}
