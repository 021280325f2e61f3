import { readFile } from 'node:fs/promises';
import { AmeideError } from '@ameide/errors';

/** Commander collector of a repeatable option (`--allow a --allow b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * JSON from an option's value: the text itself, or `@file.json` to read a file.
 * Refused with `invalid_argument` naming the option when it is not JSON.
 */
export async function jsonArg(value: string, option: string): Promise<unknown> {
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw AmeideError.invalidArgument(`${option} is not JSON: ${(err as Error).message}`, [
      { field: option, description: 'JSON text, or @file with JSON' },
    ]);
  }
}
