import { AmeideError } from '@ameide/errors';

/**
 * Largest JSON the ProcessService hands to Temporal in one field (start
 * variables, task data, a message payload): 2 MB. Temporal refuses payloads
 * over 2 MiB, but only after its client has retried for most of a minute;
 * the margin leaves room for the rest of the workflow input.
 */
export const MAX_PAYLOAD_BYTES = 2_000_000;

/** Throws `invalid_argument` when `value`, encoded as JSON, is over {@link MAX_PAYLOAD_BYTES}. */
export function checkPayloadSize(value: unknown, field: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? {}), 'utf8');
  if (bytes <= MAX_PAYLOAD_BYTES) return;
  throw AmeideError.invalidArgument(
    `${field} is ${megabytes(bytes)} as JSON; the limit is ${megabytes(MAX_PAYLOAD_BYTES)}`,
    [
      {
        field,
        description: `at most ${megabytes(MAX_PAYLOAD_BYTES)} as JSON, got ${megabytes(bytes)}`,
      },
    ],
    { reason: 'PAYLOAD_TOO_LARGE', domain: 'ameide.process' },
  );
}

function megabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}
