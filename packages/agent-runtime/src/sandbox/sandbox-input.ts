import { AmeideError } from '@ameide/errors';

const PLACEHOLDER = /\{\{\s*fixture\.(\d+)((?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;

/**
 * The task of a sandbox run with its `{{fixture.N.path}}` placeholders replaced by the value at
 * `path` of fixture call N's answer (a string as is, anything else as JSON). A placeholder naming
 * no fixture or no value is `invalid_argument` on `field`.
 */
export function substituteFixtures(
  input: string,
  answers: readonly unknown[],
  field = 'input',
): string {
  return input.replace(PLACEHOLDER, (whole, index: string, path: string) => {
    const n = Number(index);
    if (n >= answers.length)
      throw AmeideError.invalidArgument(`${field}: ${whole} names fixture ${n}`, [
        {
          field,
          description: `there ${answers.length === 1 ? 'is 1 fixture call' : `are ${answers.length} fixture calls`} (from 0)`,
        },
      ]);
    let value: unknown = answers[n];
    for (const key of path.split('.').slice(1)) {
      value =
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[key]
          : undefined;
      if (value === undefined)
        throw AmeideError.invalidArgument(`${field}: ${whole} has no value`, [
          {
            field,
            description: `fixture ${n}'s answer has nothing at ${path.slice(1)}`,
          },
        ]);
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** A fixture call's request with the placeholders of its strings replaced (earlier answers only). */
export function substituteInRequest(
  request: unknown,
  answers: readonly unknown[],
  field: string,
): unknown {
  if (typeof request === 'string') return substituteFixtures(request, answers, field);
  if (Array.isArray(request)) return request.map((v) => substituteInRequest(v, answers, field));
  if (request !== null && typeof request === 'object')
    return Object.fromEntries(
      Object.entries(request).map(([k, v]) => [k, substituteInRequest(v, answers, field)]),
    );
  return request;
}
