import { isUtf8 } from 'node:buffer';
import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { FieldViolation } from '@ameide/errors';
import { MAX_NESTING_DEPTH } from './input-rules.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

class Problem extends Error {
  constructor(
    readonly field: string,
    readonly description: string,
  ) {
    super(`${field} ${description}`);
  }
}

/**
 * Says which field makes `bytes` an invalid binary `schema` message: a string
 * (or map key) whose bytes are not UTF-8, or a field cut short. The protobuf
 * spec requires proto3 strings to be valid UTF-8 and parsers to refuse them
 * otherwise; protobuf-es does refuse, but its error names no field. Paths are
 * in proto names like the input rules' (`lines[0].sku`, `variables.note`).
 *
 * @returns undefined when no problem is found.
 */
export function diagnoseBinary(schema: DescMessage, bytes: Uint8Array): FieldViolation | undefined {
  try {
    walk(schema, new BinaryReader(bytes), bytes.byteLength, '', 0);
    return undefined;
  } catch (err) {
    if (err instanceof Problem) return { field: err.field, description: err.description };
    return { field: '', description: err instanceof Error ? err.message : String(err) };
  }
}

function walk(desc: DescMessage, r: BinaryReader, end: number, path: string, depth: number): void {
  if (depth > MAX_NESTING_DEPTH)
    throw new Problem(path, `nests deeper than ${MAX_NESTING_DEPTH} levels`);
  const seen = new Map<number, number>();
  while (r.pos < end) {
    const [no, wireType] = r.tag();
    const field = desc.fields.find((f) => f.number === no);
    if (!field || wireType !== WireType.LengthDelimited) {
      r.skip(wireType, no);
      continue;
    }
    const index = seen.get(no) ?? 0;
    seen.set(no, index + 1);
    const p = pathOf(desc, field, path, index);
    try {
      readField(field, r, p, depth);
    } catch (err) {
      if (err instanceof Problem) throw err;
      throw new Problem(p, err instanceof Error ? err.message : String(err));
    }
  }
  if (r.pos > end) throw new Problem(path, 'ends before its declared length');
}

function readField(field: DescField, r: BinaryReader, path: string, depth: number): void {
  if (field.fieldKind === 'map') return readMapEntry(field, r, path, depth);
  if (isString(field)) {
    if (!isUtf8(r.bytes())) throw new Problem(path, 'is not valid UTF-8');
    return;
  }
  const message =
    field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')
      ? field.message
      : undefined;
  const bytes = r.bytes();
  if (message) walk(message, new BinaryReader(bytes), bytes.byteLength, path, depth + 1);
}

function readMapEntry(
  field: DescField & { fieldKind: 'map' },
  r: BinaryReader,
  path: string,
  depth: number,
): void {
  const entry = r.bytes();
  const e = new BinaryReader(entry);
  let key = '';
  let value: Uint8Array | undefined;
  while (e.pos < entry.byteLength) {
    const [no, wireType] = e.tag();
    if (no === 1 && field.mapKey === ScalarType.STRING && wireType === WireType.LengthDelimited) {
      const bytes = e.bytes();
      if (!isUtf8(bytes)) throw new Problem(`${path} (key)`, 'is not valid UTF-8');
      key = Buffer.from(bytes).toString('utf8');
    } else if (no === 2 && wireType === WireType.LengthDelimited) value = e.bytes();
    else e.skip(wireType, no);
  }
  if (!value) return;
  const entryPath = jsonPath(path, key);
  if (field.mapKind === 'message')
    walk(field.message, new BinaryReader(value), value.byteLength, entryPath, depth + 1);
  else if (field.mapKind === 'scalar' && field.scalar === ScalarType.STRING && !isUtf8(value))
    throw new Problem(entryPath, 'is not valid UTF-8');
}

function isString(field: DescField): boolean {
  return (
    (field.fieldKind === 'scalar' || (field.fieldKind === 'list' && field.listKind === 'scalar')) &&
    field.scalar === ScalarType.STRING
  );
}

/** The path of a field, with JSON-style paths inside google.protobuf.Struct values. */
function pathOf(parent: DescMessage, field: DescField, path: string, index: number): string {
  if (parent.typeName === 'google.protobuf.Value') return path;
  if (parent.typeName === 'google.protobuf.ListValue') return `${path}[${index}]`;
  if (parent.typeName === 'google.protobuf.Struct') return path;
  const p = path === '' ? field.name : `${path}.${field.name}`;
  return field.fieldKind === 'list' ? `${p}[${index}]` : p;
}

function jsonPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;
}
