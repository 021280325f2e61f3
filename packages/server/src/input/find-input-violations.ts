import { ScalarType, type DescEnum, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import type { ListValue, Struct, Value } from '@bufbuild/protobuf/wkt';
import type { FieldViolation } from '@ameide/errors';
import {
  DEFAULT_MAX_STRING_LENGTH,
  MAX_NESTING_DEPTH,
  inputRules,
  type StringFieldRule,
} from './input-rules.js';

/** How many violations one refusal lists at most. */
const MAX_VIOLATIONS = 10;

// C0 controls and DEL; the multiline form lets tab, LF and CR through.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// In a `u` regex a surrogate pair is one code point, so only lone ones match.
const LONE_SURROGATE = /\p{Cs}/u;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VALUE_STRING = 'google.protobuf.Value.string_value';

/**
 * The fields of a parsed request that break the input rules: control
 * characters, lone surrogates, strings over their length limit, enum numbers
 * the enum does not declare, numbers that are not finite, nesting deeper than
 * {@link MAX_NESTING_DEPTH}. Each violation names the field by its path in
 * proto names (`lines[0].sku`, `unit_price.currency`, `variables.customer.name`).
 * Empty when the message is fine.
 */
export function findInputViolations(
  schema: DescMessage,
  message: object,
  rules: Readonly<Record<string, StringFieldRule>> = inputRules,
): FieldViolation[] {
  const out: FieldViolation[] = [];
  const report = (field: string, description: string) => {
    if (out.length < MAX_VIOLATIONS) out.push({ field, description });
  };
  const checkString = (rule: StringFieldRule | undefined, value: string, path: string) => {
    const max = rule?.maxLength ?? DEFAULT_MAX_STRING_LENGTH;
    if (value.length > max) {
      report(path, `is ${value.length} characters; at most ${max}`);
      return;
    }
    const control = (rule?.multiline ? CONTROL_MULTILINE : CONTROL).exec(value);
    if (control) {
      report(
        path,
        `must not contain control characters${rule?.multiline ? ' other than tab and line breaks' : ''} (${codePoint(control[0])} at index ${control.index})`,
      );
      return;
    }
    const lone = LONE_SURROGATE.exec(value);
    if (lone)
      report(
        path,
        `is not valid Unicode (lone surrogate ${codePoint(lone[0])} at index ${lone.index})`,
      );
  };
  const checkEnum = (desc: DescEnum, value: number, path: string) => {
    if (!desc.values.some((v) => v.number === value))
      report(path, `unknown value ${value} of enum ${desc.typeName}`);
  };
  const checkScalar = (field: DescField, scalar: ScalarType, value: unknown, path: string) => {
    if (scalar === ScalarType.STRING) checkString(rules[fullName(field)], value as string, path);
    else if (
      (scalar === ScalarType.DOUBLE || scalar === ScalarType.FLOAT) &&
      !Number.isFinite(value)
    )
      report(path, `must be a finite number, got ${String(value)}`);
  };

  const walkValue = (value: Value, path: string, depth: number): void => {
    if (depth > MAX_NESTING_DEPTH)
      return report(path, `nests deeper than ${MAX_NESTING_DEPTH} levels`);
    const kind = value.kind;
    switch (kind.case) {
      case 'stringValue':
        return checkString(rules[VALUE_STRING], kind.value, path);
      case 'numberValue':
        if (!Number.isFinite(kind.value))
          report(path, `must be a finite number, got ${kind.value}`);
        return;
      case 'structValue':
        return walkStruct(kind.value, path, depth + 1);
      case 'listValue':
        return walkList(kind.value, path, depth + 1);
      default:
        return;
    }
  };
  const walkStruct = (struct: Struct, path: string, depth: number): void => {
    for (const [key, value] of Object.entries(struct.fields)) {
      const keyPath = jsonPath(path, key);
      checkString(undefined, key, `${keyPath} (key)`);
      walkValue(value, keyPath, depth);
    }
  };
  const walkList = (list: ListValue, path: string, depth: number): void => {
    list.values.forEach((v, i) => walkValue(v, `${path}[${i}]`, depth));
  };

  const walkMessage = (m: ReflectMessage, path: string, depth: number): void => {
    if (depth > MAX_NESTING_DEPTH)
      return report(path, `nests deeper than ${MAX_NESTING_DEPTH} levels`);
    switch (m.desc.typeName) {
      case 'google.protobuf.Struct':
        return walkStruct(m.message as Struct, path, depth);
      case 'google.protobuf.Value':
        return walkValue(m.message as Value, path, depth);
      case 'google.protobuf.ListValue':
        return walkList(m.message as ListValue, path, depth);
    }
    for (const field of m.fields) {
      if (!m.isSet(field)) continue;
      const p = path === '' ? field.name : `${path}.${field.name}`;
      switch (field.fieldKind) {
        case 'scalar':
          checkScalar(field, field.scalar, m.get(field), p);
          break;
        case 'enum':
          checkEnum(field.enum, m.get(field), p);
          break;
        case 'message':
          walkMessage(m.get(field), p, depth + 1);
          break;
        case 'list': {
          let i = 0;
          for (const item of m.get(field)) {
            const ip = `${p}[${i++}]`;
            if (field.listKind === 'scalar') checkScalar(field, field.scalar, item, ip);
            else if (field.listKind === 'enum') checkEnum(field.enum, item as number, ip);
            else walkMessage(item as ReflectMessage, ip, depth + 1);
          }
          break;
        }
        case 'map':
          for (const [key, value] of m.get(field)) {
            const kp = typeof key === 'string' ? jsonPath(p, key) : `${p}[${String(key)}]`;
            if (typeof key === 'string') checkString(undefined, key, `${kp} (key)`);
            if (field.mapKind === 'scalar') checkScalar(field, field.scalar, value, kp);
            else if (field.mapKind === 'enum') checkEnum(field.enum, value as number, kp);
            else walkMessage(value as ReflectMessage, kp, depth + 1);
          }
          break;
      }
    }
  };

  walkMessage(reflect(schema, message as never), '', 0);
  return out;
}

function fullName(field: DescField): string {
  return `${field.parent.typeName}.${field.name}`;
}

/** `a.b` for identifier keys, `a["key with spaces"]` for others (escaped, so never raw control characters). */
function jsonPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return `${path}[${JSON.stringify(shown)}]`;
}

function codePoint(ch: string): string {
  return `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
