import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

/** A JSON Schema (the subset tool schemas use). */
export interface JsonSchema {
  readonly type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly maxItems?: number;
  readonly enum?: readonly (string | number)[];
  readonly const?: string | number | boolean;
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly description?: string;
}

/** Strings get a maximum length: small models under a grammar otherwise fill them up to the token limit. */
export const DEFAULT_STRING_MAX_LENGTH = 120;
/** Repeated fields get a maximum item count for the same reason. */
export const DEFAULT_MAX_ITEMS = 16;
const MAX_DEPTH = 4;

/** Why a message has no tool schema. */
export class SchemaUnavailable extends Error {
  constructor(
    readonly fieldPath: string,
    reason: string,
  ) {
    super(`${fieldPath}: ${reason}`);
  }
}

const INTEGER = new Set([
  ScalarType.INT32,
  ScalarType.UINT32,
  ScalarType.SINT32,
  ScalarType.FIXED32,
  ScalarType.SFIXED32,
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);

/**
 * The JSON Schema of a method's input in proto JSON (field names in lowerCamelCase), derived
 * from its descriptor. Every field is optional (proto3), strings are bounded, and messages the
 * schema cannot describe (recursion, `google.protobuf.Struct`/`Any`, bytes) throw
 * {@link SchemaUnavailable} naming the field.
 */
export function messageJsonSchema(message: DescMessage): JsonSchema {
  return messageSchema(message, '', 0, new Set());
}

function messageSchema(
  message: DescMessage,
  path: string,
  depth: number,
  seen: Set<string>,
): JsonSchema {
  if (seen.has(message.typeName))
    throw new SchemaUnavailable(path || message.typeName, `${message.typeName} is recursive`);
  if (depth > MAX_DEPTH)
    throw new SchemaUnavailable(path, `nested deeper than ${MAX_DEPTH} messages`);
  if (message.typeName === 'google.protobuf.Timestamp')
    return { type: 'string', maxLength: 40, description: 'RFC 3339 timestamp' };
  if (message.typeName.startsWith('google.protobuf.'))
    throw new SchemaUnavailable(path || message.typeName, `${message.typeName} has no tool schema`);
  const inner = new Set(seen).add(message.typeName);
  const properties: Record<string, JsonSchema> = {};
  for (const f of message.fields) {
    properties[f.jsonName] = fieldSchema(
      f,
      path ? `${path}.${f.jsonName}` : f.jsonName,
      depth,
      inner,
    );
  }
  return { type: 'object', properties, additionalProperties: false };
}

function fieldSchema(f: DescField, path: string, depth: number, seen: Set<string>): JsonSchema {
  switch (f.fieldKind) {
    case 'scalar':
      return scalarSchema(f.scalar, path);
    case 'enum':
      return { type: 'string', enum: f.enum.values.map((v) => v.name) };
    case 'message':
      return messageSchema(f.message, path, depth + 1, seen);
    case 'list': {
      const items =
        f.listKind === 'scalar'
          ? scalarSchema(f.scalar, path)
          : f.listKind === 'enum'
            ? { type: 'string' as const, enum: f.enum.values.map((v) => v.name) }
            : messageSchema(f.message, path, depth + 1, seen);
      return { type: 'array', items, maxItems: DEFAULT_MAX_ITEMS };
    }
    case 'map': {
      const values =
        f.mapKind === 'scalar'
          ? scalarSchema(f.scalar, path)
          : f.mapKind === 'enum'
            ? { type: 'string' as const, enum: f.enum.values.map((v) => v.name) }
            : messageSchema(f.message, path, depth + 1, seen);
      return { type: 'object', additionalProperties: values };
    }
  }
}

function scalarSchema(scalar: ScalarType, path: string): JsonSchema {
  if (scalar === ScalarType.STRING) return { type: 'string', maxLength: DEFAULT_STRING_MAX_LENGTH };
  if (scalar === ScalarType.BOOL) return { type: 'boolean' };
  if (scalar === ScalarType.DOUBLE || scalar === ScalarType.FLOAT) return { type: 'number' };
  if (INTEGER.has(scalar)) return { type: 'integer' };
  throw new SchemaUnavailable(path, 'bytes fields have no tool schema');
}
