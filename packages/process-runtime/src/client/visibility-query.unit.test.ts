import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import {
  instancesQuery,
  messageSubscriptionOf,
  subscribersQuery,
  taskCandidatesOf,
  userTasksQuery,
} from './process-queries.js';
import { assertSearchable, visibilityLiteral } from './visibility-query.js';

type Token = { kind: 'id' | 'op'; text: string } | { kind: 'str'; value: string };

/**
 * The lexer of Temporal's visibility grammar (the vitess-derived `sqlparser` tokenizer):
 * identifiers, operators and string literals in `'…'` or `"…"` where the delimiter doubled
 * stands for itself and `\x` is a MySQL escape; then, as Temporal's converter does to every
 * string value, every leading and trailing `'` is trimmed. Enough to see what Temporal compares.
 */
function tokenize(query: string): Token[] {
  const decode: Record<string, string> = {
    '0': '\0',
    b: '\b',
    n: '\n',
    r: '\r',
    t: '\t',
    Z: '\x1a',
  };
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i] as string;
    if (c === ' ') {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'id', text: m[0] });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= query.length) throw new Error('unterminated string');
        const d = query[i] as string;
        if (d === c && query[i + 1] === c) {
          value += c;
          i += 2;
        } else if (d === c) {
          i++;
          break;
        } else if (d === '\\') {
          const e = query[i + 1];
          if (e === undefined) throw new Error('unterminated escape');
          value += decode[e] ?? e;
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ kind: 'str', value: value.replace(/^'+|'+$/g, '') });
    } else if (query.startsWith('!=', i)) {
      tokens.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if ('=(),'.includes(c)) {
      tokens.push({ kind: 'op', text: c });
      i++;
    } else throw new Error(`unexpected ${JSON.stringify(c)} at ${i}`);
  }
  return tokens;
}

const id = (text: string): Token => ({ kind: 'id', text });
const op = (text: string): Token => ({ kind: 'op', text });
const str = (value: string): Token => ({ kind: 'str', value });

/** Strings rich in what breaks queries: quotes, backslashes, NUL, controls, lone surrogates. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom("'", '"', '\\', '\0', '\n', '\t', '\x7f', '\x85', '\uD800', '\uDC00', '♡'),
    fc.constantFrom(' OR ', ' AND ', "' OR AmeideTenant != '", '%', '*', ':', '(', ')'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 24,
});
/** Strings a visibility filter can hold (a subset of {@link hostile}). */
const UNSEARCHABLE = /["\\\u2661\p{Cc}]|\p{Cs}|^'|'$/u;
const searchable = hostile.map((s) =>
  s.replace(/["\\\u2661\p{Cc}]|\p{Cs}/gu, '').replace(/^'+|'+$/g, ''),
);

function refusal(fn: () => unknown): { field: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!isAmeideError(err) || err.code !== 'invalid_argument') throw err;
    const [violation] = err.fieldViolations;
    return { field: violation?.field ?? '' };
  }
}

describe('visibilityLiteral', () => {
  it('reads back as exactly one string token equal to the value, or refuses with invalid_argument', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const refused = refusal(() => visibilityLiteral(value, 'business_key'));
        if (refused) {
          expect(refused.field).toBe('business_key');
          expect(value).toMatch(UNSEARCHABLE);
        } else {
          expect(tokenize(visibilityLiteral(value, 'business_key'))).toEqual([str(value)]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every value without double quotes, backslashes, U+2661, control characters, lone surrogates or edge single quotes', () => {
    fc.assert(
      fc.property(searchable, (value) => {
        expect(tokenize(visibilityLiteral(value, 'definition'))).toEqual([str(value)]);
      }),
      { numRuns: 1000 },
    );
    expect(visibilityLiteral("O'Reilly", 'business_key')).toBe("'O''Reilly'");
    expect(visibilityLiteral("😀 it's é", 'business_key')).toBe("'😀 it''s é'");
  });

  it('refuses each unsearchable character, naming the field', () => {
    for (const bad of [
      '"',
      '\\',
      '\0',
      '\b',
      '\t',
      '\n',
      '\r',
      '\x1f',
      '\x7f',
      '\x9f',
      '\uD800',
      '♡',
    ]) {
      expect(refusal(() => assertSearchable(`a${bad}b`, 'correlation_key'))).toEqual({
        field: 'correlation_key',
      });
    }
    for (const edge of ["'a", "a'", "'", "''"])
      expect(refusal(() => assertSearchable(edge, 'business_key'))).toEqual({
        field: 'business_key',
      });
    expect(refusal(() => assertSearchable("a'b", 'correlation_key'))).toBeUndefined();
    expect(refusal(() => assertSearchable('a\u{1F600}b', 'correlation_key'))).toBeUndefined();
  });
});

describe('process queries', () => {
  it('keep the tenant clause and the clause structure whatever the filter values', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (tenant, definition, businessKey) => {
        let query: string;
        try {
          query = instancesQuery(tenant, { definition, businessKey, status: 'RUNNING' });
        } catch (err) {
          if (isAmeideError(err) && err.code === 'invalid_argument') return;
          throw err;
        }
        const expected = [
          ...[id('AmeideTenant'), op('='), str(tenant)],
          ...[id('AND'), id('ExecutionStatus'), op('!='), str('ContinuedAsNew')],
          ...(definition ? [id('AND'), id('AmeideDefinition'), op('='), str(definition)] : []),
          ...[id('AND'), id('ExecutionStatus'), op('='), str('Running')],
          ...(businessKey ? [id('AND'), id('AmeideBusinessKey'), op('='), str(businessKey)] : []),
        ];
        expect(tokenize(query)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('select closed instances by the outcome they recorded, or by how they closed without one', () => {
    expect(tokenize(instancesQuery('t', { status: 'COMPLETED' }))).toEqual([
      ...[id('AmeideTenant'), op('='), str('t')],
      ...[id('AND'), id('ExecutionStatus'), op('!='), str('ContinuedAsNew')],
      ...[id('AND'), id('ExecutionStatus'), op('!='), str('Running')],
      ...[id('AND'), op('('), id('AmeideStatus'), op('='), str('COMPLETED')],
      ...[id('OR'), op('('), id('AmeideStatus'), op('='), str('RUNNING')],
      ...[id('AND'), id('ExecutionStatus'), id('IN'), op('('), str('Completed'), op(')')],
      ...[op(')'), op(')')],
    ]);
    const cancelled = tokenize(instancesQuery('t', { status: 'CANCELLED' }));
    expect(cancelled.slice(-8)).toEqual([
      ...[id('IN'), op('('), str('Canceled'), op(','), str('Terminated'), op(')')],
      ...[op(')'), op(')')],
    ]);
  });

  it('name the field each refused value came from', () => {
    expect(refusal(() => instancesQuery('t', { businessKey: 'x"y' }))).toEqual({
      field: 'business_key',
    });
    expect(refusal(() => instancesQuery('t', { definition: 'x\\' }))).toEqual({
      field: 'definition',
    });
    expect(refusal(() => taskCandidatesOf('u\0', []))).toEqual({ field: 'user_id' });
    expect(refusal(() => taskCandidatesOf('u', ['ok', 'a"b']))).toEqual({ field: 'groups' });
    expect(refusal(() => messageSubscriptionOf('paid', 'PO "7"'))).toEqual({
      field: 'correlation_key',
    });
    expect(refusal(() => messageSubscriptionOf('pa\nid', 'PO-7'))).toEqual({
      field: 'message_name',
    });
  });

  it('build user-task and subscriber filters whose only structure is ours', () => {
    fc.assert(
      fc.property(searchable, fc.array(searchable, { maxLength: 4 }), searchable, (u, gs, key) => {
        const candidates = taskCandidatesOf(u, gs);
        expect(tokenize(userTasksQuery('t1', candidates))).toEqual([
          ...[id('AmeideTenant'), op('='), str('t1'), id('AND')],
          ...[id('ExecutionStatus'), op('='), str('Running'), id('AND')],
          ...[id('AmeideTaskCandidates'), id('IN'), op('(')],
          ...candidates.flatMap((c, i) => (i === 0 ? [str(c)] : [op(','), str(c)])),
          op(')'),
        ]);
        expect(tokenize(subscribersQuery('t1', messageSubscriptionOf('paid', key)))).toEqual([
          ...[id('AmeideTenant'), op('='), str('t1'), id('AND')],
          ...[id('ExecutionStatus'), op('='), str('Running'), id('AND')],
          ...[id('AmeideMessages'), op('='), str(`paid:${key}`)],
        ]);
      }),
      { numRuns: 500 },
    );
  });
});
