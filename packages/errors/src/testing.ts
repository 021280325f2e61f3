import { isAmeideError, type AmeideError } from './ameide-error.js';

/**
 * For tests: the AmeideError `p` rejects with. Fails when `p` resolves, or rejects with
 * anything else (naming it), so a test cannot pass on the wrong kind of failure.
 */
export async function rejectionOf(p: Promise<unknown>): Promise<AmeideError> {
  let resolved = false;
  const err = await p.then(
    () => {
      resolved = true;
      return undefined;
    },
    (e: unknown) => e,
  );
  if (resolved) throw new Error('expected a rejection with an AmeideError, but it resolved');
  if (!isAmeideError(err)) throw new Error(`expected an AmeideError, got ${String(err)}`);
  return err;
}
