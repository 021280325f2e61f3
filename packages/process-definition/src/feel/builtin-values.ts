import { evaluate, parseExpression } from 'feelin';

/** A name read as a value that is a FEEL built-in function. */
export interface BuiltinRead {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

const builtins = new Map<string, boolean>();

/**
 * Whether `name` is a FEEL built-in function (`count`, `product`, `string length`, ...): asked of
 * feelin itself, so the answer follows the evaluator's version.
 */
export function isFeelBuiltin(name: string): boolean {
  let known = builtins.get(name);
  if (known === undefined) {
    try {
      known = typeof evaluate(name, {}).value === 'function';
    } catch {
      known = false;
    }
    builtins.set(name, known);
  }
  return known;
}

interface NodeRef {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly type: { readonly isError: boolean };
  readonly node: { readonly parent: { readonly name: string } | null };
}

/**
 * The names in FEEL `source` that are read as values (not called) and are built-in functions.
 * FEEL resolves such a name to the function wherever no variable of that name is set, so
 * `product = "kettle"` is null (false in a condition) instead of comparing a missing variable.
 * Names the expression binds itself (`for x in`, `some x in`, function parameters) and names
 * inside filters (an element's fields) do not count. Nothing for a source that does not parse.
 */
export function builtinsReadAsValues(source: string): BuiltinRead[] {
  let tree;
  try {
    tree = parseExpression(source, {}, undefined);
  } catch {
    return [];
  }
  const bound = new Set<string>();
  const reads: BuiltinRead[] = [];
  let filters = 0;
  tree.iterate({
    enter(ref: NodeRef) {
      if (ref.type.isError) return false;
      const parent = ref.node.parent?.name;
      if (ref.name === 'Name' && (parent === 'InExpression' || parent === 'ParameterName'))
        bound.add(source.slice(ref.from, ref.to));
      if (ref.name === 'FilterExpression') filters++;
      if (ref.name !== 'VariableName' || filters > 0) return undefined;
      // The callee of an invocation is the function, as meant.
      if (parent === 'FunctionInvocation') return false;
      const name = source.slice(ref.from, ref.to);
      if (isFeelBuiltin(name)) reads.push({ name, start: ref.from, end: ref.to });
      return false;
    },
    leave(ref: NodeRef) {
      if (ref.name === 'FilterExpression') filters--;
    },
  });
  return reads.filter((r) => !bound.has(r.name));
}
