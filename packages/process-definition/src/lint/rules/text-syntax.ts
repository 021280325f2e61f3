import { checkFeelExpression } from '../../feel/check-feel.js';
import { spanOf } from '../../model/diagnostic.js';
import {
  durationToMilliseconds,
  parseIsoDateTime,
  parseIsoDuration,
  parseTimer,
} from '../../timer/iso8601.js';
import { feelFields, isoFields, type IsoField } from '../fields.js';
import { defineRule } from '../lint-rule.js';

export const feelSyntax = defineRule(
  {
    code: 'AM020',
    name: 'feel-syntax',
    title:
      'A FEEL expression (condition, mapping, script, correlation key, assignment) does not parse',
    severity: 'error',
  },
  ({ definition, report }) => {
    // Definitions repeat expressions (the same mapping on many tasks): parse each text once.
    const checked = new Map<string, ReturnType<typeof checkFeelExpression>>();
    for (const field of feelFields(definition)) {
      let result = checked.get(field.value);
      if (!result) checked.set(field.value, (result = checkFeelExpression(field.value)));
      if (result.ok) continue;
      const span = spanOf(field.value, result.start, result.end);
      report({
        elementId: field.elementId,
        elementKind: field.elementKind,
        path: field.path,
        span,
        message: `FEEL syntax error at ${span.line}:${span.column}: ${result.message}`,
      });
    }
  },
);

function checkIso(field: IsoField): { message: string; start: number; end: number } | undefined {
  const value = field.value;
  switch (field.kind) {
    case 'duration':
    case 'date':
    case 'cycle': {
      const r = parseTimer(field.kind, value);
      return r.ok ? undefined : r;
    }
    case 'due': {
      if (value.startsWith('P')) {
        const r = parseIsoDuration(value);
        return r.ok ? undefined : r;
      }
      const r = parseIsoDateTime(value);
      return r.ok
        ? undefined
        : { ...r, message: `due must be an ISO 8601 duration or date-time: ${r.message}` };
    }
    case 'fixedDuration': {
      const r = parseIsoDuration(value);
      if (!r.ok) return r;
      if (durationToMilliseconds(r.value) === undefined) {
        return {
          message: `'${value}' uses years or months; use weeks, days, hours, minutes or seconds`,
          start: 0,
          end: value.length,
        };
      }
      return undefined;
    }
  }
}

export const iso8601Syntax = defineRule(
  {
    code: 'AM021',
    name: 'iso8601-syntax',
    title: 'A timer, due date, timeout or retry interval is not valid ISO 8601',
    severity: 'error',
  },
  ({ definition, report }) => {
    for (const field of isoFields(definition)) {
      const problem = checkIso(field);
      if (!problem) continue;
      report({
        elementId: field.elementId,
        elementKind: field.elementKind,
        path: field.path,
        span: spanOf(field.value, problem.start, problem.end),
        message: problem.message,
      });
    }
  },
);
