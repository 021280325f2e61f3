import { parseExpression, parseUnaryTests } from 'feelin';

interface NodeLike {
  readonly from: number;
  readonly to: number;
  readonly type: { readonly isError: boolean };
}

/**
 * The first syntax error of a FEEL expression or unary tests, as a message, or undefined when
 * it parses. `names` are the variables in scope, so names with spaces parse as one name.
 */
export function feelSyntaxError(
  source: string,
  grammar: 'expression' | 'unaryTests',
  names: readonly string[],
): string | undefined {
  if (source.trim() === '') return grammar === 'expression' ? 'empty FEEL expression' : undefined;
  const context = Object.fromEntries(names.map((n) => [n, null]));
  let tree;
  try {
    tree =
      grammar === 'expression'
        ? parseExpression(source, context, undefined)
        : parseUnaryTests(source, context, undefined);
  } catch (err) {
    return `FEEL parser failed: ${String(err)}`;
  }
  let found: NodeLike | undefined;
  tree.iterate({
    enter(ref) {
      if (found) return false;
      if (ref.type.isError) {
        found = ref.node;
        return false;
      }
      return undefined;
    },
  });
  if (!found) return undefined;
  if (found.to > found.from)
    return `unexpected '${source.slice(found.from, found.to)}' at ${found.from + 1}`;
  if (found.from >= source.trimEnd().length) return 'incomplete expression';
  return `syntax error at ${found.from + 1}`;
}
