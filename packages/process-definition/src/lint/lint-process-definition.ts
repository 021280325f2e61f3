import { buildProcessGraph } from '../graph/process-graph.js';
import { fieldOf, type Diagnostic, type ElementKind } from '../model/diagnostic.js';
import { parseProcessDefinition } from '../model/parse-process-definition.js';
import type { ProcessDefinition } from '../model/process-definition.js';
import type { LintOptions } from './lint-rule.js';
import { LINT_RULES, SCHEMA_RULE } from './lint-rules.js';

/** What {@link lintProcessDefinition} found. */
export interface LintResult {
  /** The validated definition, when the input matched the schema. */
  readonly definition?: ProcessDefinition;
  readonly diagnostics: readonly Diagnostic[];
  readonly errorCount: number;
  readonly warningCount: number;
}

/**
 * Checks a ProcessDefinition: first against the schema (AM000, naming the field), then every
 * rule of {@link lintRules}. Accepts raw JSON; never throws on bad input. Pure and
 * deterministic: same input and options, same diagnostics in the same order.
 */
export function lintProcessDefinition(input: unknown, options: LintOptions = {}): LintResult {
  const parsed = parseProcessDefinition(input);
  if (!parsed.ok) {
    const diagnostics = parsed.errors.map((e): Diagnostic => {
      const { elementId, elementKind } = elementAt(input, e.path);
      const field = fieldOf(e.path);
      return {
        ...(field !== undefined ? { field } : {}),
        code: SCHEMA_RULE.code,
        severity: 'error',
        message: e.path === '' ? e.message : `${e.path}: ${e.message}`,
        elementId,
        elementKind,
        path: e.path,
      };
    });
    return { diagnostics, errorCount: diagnostics.length, warningCount: 0 };
  }
  const definition = parsed.definition;
  const diagnostics = runRules(definition, options);
  return {
    definition,
    diagnostics,
    errorCount: diagnostics.filter((d) => d.severity === 'error').length,
    warningCount: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

function runRules(definition: ProcessDefinition, options: LintOptions): Diagnostic[] {
  const graph = buildProcessGraph(definition);
  const diagnostics: Diagnostic[] = [];
  for (const rule of LINT_RULES) {
    try {
      rule.check({
        definition,
        graph,
        options,
        report: (f) => {
          const field = f.path === undefined ? undefined : fieldOf(f.path);
          diagnostics.push({
            code: rule.code,
            severity: rule.severity,
            ...f,
            ...(field !== undefined ? { field } : {}),
          });
        },
      });
    } catch (err) {
      // A caller-provided registry/resolver may throw; report it instead of crashing the lint.
      diagnostics.push({
        code: rule.code,
        severity: 'error',
        message: `rule ${rule.code} (${rule.name}) failed: ${err instanceof Error ? err.message : String(err)}`,
        elementId: definition.id,
        elementKind: 'process',
      });
    }
  }
  return diagnostics;
}

/** Names the element a schema error is in (`nodes[3]...` → that node's id, when it has one). */
function elementAt(input: unknown, path: string): { elementId: string; elementKind: ElementKind } {
  const root = isRecord(input) ? input : {};
  const processId = typeof root.id === 'string' && root.id !== '' ? root.id : '(process)';
  const m = /^(nodes|edges|lanes|variables)\[(\d+)\]/.exec(path);
  if (m) {
    const list = root[m[1]!];
    const item = Array.isArray(list) ? (list[Number(m[2])] as unknown) : undefined;
    const key = m[1] === 'variables' ? 'name' : 'id';
    const kinds: Record<string, ElementKind> = {
      nodes: 'node',
      edges: 'edge',
      lanes: 'lane',
      variables: 'variable',
    };
    if (isRecord(item) && typeof item[key] === 'string' && item[key] !== '') {
      return { elementId: item[key], elementKind: kinds[m[1]!]! };
    }
    return { elementId: `${processId}/${m[0]}`, elementKind: kinds[m[1]!]! };
  }
  return { elementId: processId, elementKind: 'process' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
