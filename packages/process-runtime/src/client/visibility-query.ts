import { AmeideError } from '@ameide/errors';

/**
 * What a value in a Temporal visibility filter may not hold.
 *
 * Temporal parses a list filter with its SQL-like grammar (string literals in `'…'` or `"…"`,
 * the delimiter doubled or backslash-escaped inside), then hands each string to the visibility
 * store, which re-escapes it MySQL-style (`"` → `\"`, `\` → `\\`, newline → `\n`, …). SQLite
 * (the dev server) and PostgreSQL do not read backslash escapes, so a value with `"`, `\`, tab,
 * CR, LF or backspace never equals what was stored; in a KeywordList (SQLite FTS5 phrase) a `"`
 * is a syntax error, and NUL fails the statement. Those failures reach the caller as an internal
 * error after about 20 s of client retries. Temporal also strips every leading and trailing `'`
 * from a string value (`strings.Trim(value, "'")` when it reads the literal), so such a value
 * never equals what was stored either. SQLite visibility stores KeywordList values joined by
 * U+2661 (♡) and splits every listed string at it, so a value holding it comes back wrong. None
 * of this can be escaped so that every store reads the value back, so these values are refused:
 * `"`, `\`, ♡, every control character (C0, DEL, C1), lone UTF-16 surrogates (not encodable in
 * a protobuf string) and `'` at either end.
 */
const UNSEARCHABLE = /["\\\u2661\p{Cc}]|\p{Cs}|^'|'$/u;

function describe(char: string): string {
  if (char === '"') return 'a double quote';
  if (char === '\\') return 'a backslash';
  if (char === "'") return 'a single quote at its start or end';
  const code = char.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Refuses (with `invalid_argument` naming `field`) a value that cannot be matched exactly by a
 * Temporal visibility filter; see {@link visibilityLiteral}.
 */
export function assertSearchable(value: string, field: string): void {
  const bad = UNSEARCHABLE.exec(value);
  if (bad === null) return;
  throw AmeideError.invalidArgument(
    `${field} cannot contain ${describe(bad[0])} (character ${bad.index + 1})`,
    [
      {
        field,
        description:
          'must not contain double quotes, backslashes, U+2661 or control characters, nor begin or end with a single quote',
      },
    ],
  );
}

/**
 * The string literal of Temporal's visibility query language that stands for exactly `value`.
 * Every value placed in a list filter goes through here: it is checked with
 * {@link assertSearchable} (so nothing is sent to Temporal that it would misread), then put in
 * single quotes with `'` doubled, which the query grammar reads back as one `'` and every store
 * treats as a plain character. No value can end the literal early, so none can add a clause
 * (e.g. `OR` past the tenant filter).
 */
export function visibilityLiteral(value: string, field: string): string {
  assertSearchable(value, field);
  return `'${value.replaceAll("'", "''")}'`;
}
