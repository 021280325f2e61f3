import { parseExpression } from 'feelin';

/** Result of a FEEL syntax check: where the first syntax error is, if any. */
export type FeelCheckResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly message: string; readonly start: number; readonly end: number };

interface SyntaxNodeLike {
  readonly from: number;
  readonly to: number;
  readonly name: string;
  readonly type: { readonly isError: boolean };
  readonly parent: SyntaxNodeLike | null;
  readonly nextSibling: SyntaxNodeLike | null;
}

/**
 * Checks that `source` parses as a FEEL expression (feelin's grammar) and reports the first
 * syntax error with its offsets. Does not evaluate anything.
 */
export function checkFeelExpression(source: string): FeelCheckResult {
  if (source.trim() === '')
    return { ok: false, message: 'empty FEEL expression', start: 0, end: 0 };
  let tree;
  try {
    tree = parseExpression(source, {}, undefined);
  } catch (err) {
    return {
      ok: false,
      message: `FEEL parser failed: ${String(err)}`,
      start: 0,
      end: source.length,
    };
  }
  let found: SyntaxNodeLike | undefined;
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
  if (!found) return { ok: true };
  return describe(source, found);
}

function describe(source: string, node: SyntaxNodeLike): FeelCheckResult {
  const context = node.parent ? ` in ${humanize(node.parent.name)}` : '';
  if (node.to > node.from) {
    const text = source.slice(node.from, node.to);
    return { ok: false, message: `unexpected '${text}'${context}`, start: node.from, end: node.to };
  }
  const next = nextNode(node);
  if (next && next.to > next.from) {
    const text = source.slice(next.from, next.to);
    return { ok: false, message: `unexpected '${text}'${context}`, start: next.from, end: next.to };
  }
  if (node.from >= source.trimEnd().length) {
    return {
      ok: false,
      message: `incomplete expression${context}`,
      start: node.from,
      end: node.to,
    };
  }
  return { ok: false, message: `syntax error${context}`, start: node.from, end: node.to };
}

function nextNode(node: SyntaxNodeLike): SyntaxNodeLike | undefined {
  let current: SyntaxNodeLike | null = node;
  while (current) {
    if (current.nextSibling) return current.nextSibling;
    current = current.parent;
  }
  return undefined;
}

/** `ArithmeticExpression` → `arithmetic expression`. */
function humanize(name: string): string {
  if (name === 'Expression' || name === '⚠') return 'expression';
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
