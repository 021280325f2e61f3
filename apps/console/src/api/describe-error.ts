import { isAmeideError } from '@ameide/errors';

/** One line for the user: what went wrong, without stack traces. */
export function describeError(err: unknown): string {
  if (isAmeideError(err)) {
    const fields = err.fieldViolations.slice(0, 3).map((f) => `${f.field}: ${f.description}`);
    return [err.message, ...fields].join(' — ');
  }
  return err instanceof Error ? err.message : String(err);
}

/** Whether the error is an optimistic concurrency conflict (someone saved in between). */
export function isVersionConflict(err: unknown): boolean {
  return isAmeideError(err) && err.code === 'aborted';
}
