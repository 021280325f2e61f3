import { evaluate, unaryTest } from 'feelin';
import type { DmnDecision, DmnDocument, DmnTable } from '../dmn/read-dmn.js';
import { AGGREGATIONS, HIT_POLICIES } from '../plan/decision-plan.js';
import { DECISION_LINT_CODES as C, type DecisionDiagnostic } from './decision-diagnostic.js';
import { columnCells, holds, type Cell, type ColumnCells, type EntrySet } from './entry-sets.js';
import { feelSyntaxError } from './feel-syntax.js';

export interface DecisionLintOptions {
  /**
   * Names the caller will put in the evaluation context (e.g. the process variables a business
   * rule task passes). Added to the model's `inputData` names for the unknown-name check, which
   * runs only when the model declares input data or this is given.
   */
  readonly knownInputs?: readonly string[];
  /** Input combinations the gap check enumerates before giving up (default 20,000). */
  readonly maxGapCombinations?: number;
}

/** Findings the lint reports at most per rule code and decision, so a broken table stays readable. */
const MAX_PER_RULE = 5;

/** Lints a read DMN document: structure, FEEL, names, hit policies, overlaps and gaps. */
export function lintDmnDocument(
  doc: DmnDocument,
  options: DecisionLintOptions = {},
): DecisionDiagnostic[] {
  const out: DecisionDiagnostic[] = [];
  if (doc.decisions.length === 0) {
    out.push({
      code: C.noDecision,
      severity: 'error',
      message: 'the model has no decision',
    });
    return out;
  }
  const ids = new Map<string, number>();
  for (const d of doc.decisions) ids.set(d.id, (ids.get(d.id) ?? 0) + 1);
  for (const [id, n] of ids) {
    if (id === '' || n > 1) {
      out.push({
        code: C.duplicateId,
        severity: 'error',
        decisionId: id,
        message: id === '' ? 'a decision has no id' : `decision id '${id}' is used ${n} times`,
      });
    }
  }
  const byId = new Map(doc.decisions.map((d) => [d.id, d]));
  const inputIds = new Map(doc.inputData.map((i) => [i.id, i.name]));
  const checkNames = doc.inputData.length > 0 || options.knownInputs !== undefined;
  for (const d of doc.decisions) {
    const known = [...(options.knownInputs ?? [])];
    for (const req of d.requires) {
      const required = byId.get(req);
      if (!required) {
        out.push({
          code: C.requirement,
          severity: 'error',
          decisionId: d.id,
          location: 'informationRequirement',
          message: `decision '${d.id}' requires decision '${req}', which the model does not have`,
        });
      } else known.push(required.name);
    }
    for (const req of d.requiresInputs) {
      const name = inputIds.get(req);
      if (name === undefined) {
        out.push({
          code: C.requirement,
          severity: 'error',
          decisionId: d.id,
          location: 'informationRequirement',
          message: `decision '${d.id}' requires input data '${req}', which the model does not have`,
        });
      }
    }
    known.push(...doc.inputData.map((i) => i.name));
    lintDecision(d, known, checkNames, options, out);
  }
  for (const id of requirementCycle(doc.decisions)) {
    out.push({
      code: C.requirement,
      severity: 'error',
      decisionId: id,
      location: 'informationRequirement',
      message: `decision '${id}' requires itself through its required decisions`,
    });
  }
  return out;
}

function lintDecision(
  d: DmnDecision,
  known: readonly string[],
  checkNames: boolean,
  options: DecisionLintOptions,
  out: DecisionDiagnostic[],
): void {
  const counts = new Map<string, number>();
  const push = (diag: Omit<DecisionDiagnostic, 'decisionId'>) => {
    const n = counts.get(diag.code) ?? 0;
    counts.set(diag.code, n + 1);
    if (n < MAX_PER_RULE) out.push({ ...diag, decisionId: d.id });
  };
  const feel = (
    source: string,
    grammar: 'expression' | 'unaryTests',
    location: string,
    ruleId?: string,
  ) => {
    const error = feelSyntaxError(source, grammar, [...known, '?']);
    const rule = ruleId !== undefined ? { ruleId } : {};
    if (error !== undefined) {
      push({
        code: C.feelSyntax,
        severity: 'error',
        location,
        ...rule,
        message:
          `decision '${d.id}' ${location}: '${source}' is not valid FEEL ${grammar === 'unaryTests' ? 'unary tests' : ''}(${error})`.replace(
            '  ',
            ' ',
          ),
      });
      return false;
    }
    if (checkNames) {
      for (const name of unknownNames(source, grammar, known)) {
        push({
          code: C.unknownName,
          severity: 'error',
          location,
          ...rule,
          message: `decision '${d.id}' ${location}: '${name}' is not an input of the decision (known: ${[...new Set(known)].sort().join(', ') || 'none'})`,
        });
      }
    }
    return true;
  };

  const logic = d.logic;
  if (logic.type === 'unsupported') {
    push({
      code: C.unsupportedLogic,
      severity: 'error',
      location: 'decisionLogic',
      message:
        logic.dmnType === 'none'
          ? `decision '${d.id}' has no decision logic; Ameide evaluates decision tables and literal expressions`
          : `decision '${d.id}' is a ${logic.dmnType}; Ameide evaluates decision tables and literal expressions`,
    });
    return;
  }
  if (logic.type === 'literalExpression') {
    feel(logic.expression, 'expression', 'literal expression');
    return;
  }
  lintTable(d, logic, push, feel, options);
}

type Push = (diag: Omit<DecisionDiagnostic, 'decisionId'>) => void;
type Feel = (
  source: string,
  grammar: 'expression' | 'unaryTests',
  location: string,
  ruleId?: string,
) => boolean;

function lintTable(
  d: DmnDecision,
  t: DmnTable,
  push: Push,
  feel: Feel,
  options: DecisionLintOptions,
): void {
  const hitPolicy = t.hitPolicy;
  if (!(HIT_POLICIES as readonly string[]).includes(hitPolicy)) {
    push({
      code: C.hitPolicy,
      severity: 'error',
      location: 'hitPolicy',
      message: `decision '${d.id}': hit policy '${hitPolicy}' is not one of ${HIT_POLICIES.join(', ')}`,
    });
  }
  if (t.aggregation !== undefined) {
    if (!(AGGREGATIONS as readonly string[]).includes(t.aggregation)) {
      push({
        code: C.hitPolicy,
        severity: 'error',
        location: 'aggregation',
        message: `decision '${d.id}': aggregation '${t.aggregation}' is not one of ${AGGREGATIONS.join(', ')}`,
      });
    } else if (hitPolicy !== 'COLLECT') {
      push({
        code: C.hitPolicy,
        severity: 'error',
        location: 'aggregation',
        message: `decision '${d.id}': aggregation ${t.aggregation} needs hit policy COLLECT, not ${hitPolicy}`,
      });
    } else if (t.outputs.length !== 1) {
      push({
        code: C.hitPolicy,
        severity: 'error',
        location: 'aggregation',
        message: `decision '${d.id}': aggregation ${t.aggregation} needs exactly one output; the table has ${t.outputs.length}`,
      });
    }
  }
  if (t.outputs.length === 0) {
    push({
      code: C.outputNames,
      severity: 'error',
      location: 'output',
      message: `decision '${d.id}' has no output column`,
    });
  }
  if (t.outputs.length > 1) {
    const seen = new Set<string>();
    t.outputs.forEach((o, i) => {
      if (o.name === undefined || o.name === '') {
        push({
          code: C.outputNames,
          severity: 'error',
          location: `output ${i + 1}`,
          message: `decision '${d.id}' output ${i + 1} ('${o.label ?? o.id}') has no name; a table with several outputs names each`,
        });
      } else if (seen.has(o.name)) {
        push({
          code: C.outputNames,
          severity: 'error',
          location: `output ${i + 1}`,
          message: `decision '${d.id}' output ${i + 1}: name '${o.name}' is used by another output`,
        });
      }
      if (o.name) seen.add(o.name);
    });
  }
  const inputLocation = (i: number) =>
    `input ${i + 1} (${t.inputs[i]!.label ?? t.inputs[i]!.expression})`;
  const outputLocation = (o: number) =>
    `output ${o + 1} (${t.outputs[o]!.name ?? t.outputs[o]!.label ?? t.outputs[o]!.id})`;
  t.inputs.forEach((input, i) => {
    if (input.expression.trim() === '') {
      push({
        code: C.feelSyntax,
        severity: 'error',
        location: inputLocation(i),
        message: `decision '${d.id}' ${inputLocation(i)} has no input expression`,
      });
    } else feel(input.expression, 'expression', inputLocation(i));
    if (input.inputValues !== undefined)
      feel(input.inputValues, 'unaryTests', `${inputLocation(i)} input values`);
  });
  const priorities: (string[] | undefined)[] = t.outputs.map((o, i) => {
    if (o.defaultOutputEntry !== undefined)
      feel(o.defaultOutputEntry, 'expression', `${outputLocation(i)} default`);
    if (o.outputValues === undefined) return undefined;
    return splitList(o.outputValues);
  });
  if ((hitPolicy === 'PRIORITY' || hitPolicy === 'OUTPUT ORDER') && t.outputs.length > 0) {
    // Outputs are ranked output by output; one without values ranks its rules equal.
    if (!priorities.some((p) => p !== undefined && p.length > 0)) {
      push({
        code: C.outputValues,
        severity: 'error',
        location: 'output',
        message: `decision '${d.id}': hit policy ${hitPolicy} ranks rules by the outputs' values, and no output lists any`,
      });
    }
  }
  let entriesOk = true;
  t.rules.forEach((rule, r) => {
    const where = `rule ${r + 1} ('${rule.id}')`;
    if (
      rule.inputEntries.length !== t.inputs.length ||
      rule.outputEntries.length !== t.outputs.length
    ) {
      entriesOk = false;
      push({
        code: C.entryCount,
        severity: 'error',
        location: where,
        ruleId: rule.id,
        message: `decision '${d.id}' ${where} has ${rule.inputEntries.length} input and ${rule.outputEntries.length} output entries; the table has ${t.inputs.length} inputs and ${t.outputs.length} outputs`,
      });
      return;
    }
    rule.inputEntries.forEach((entry, i) => {
      if (!feel(entry, 'unaryTests', `${where} ${inputLocation(i)}`, rule.id)) entriesOk = false;
    });
    rule.outputEntries.forEach((entry, o) => {
      if (entry.trim() === '') return;
      if (!feel(entry, 'expression', `${where} ${outputLocation(o)}`, rule.id)) entriesOk = false;
      const allowed = priorities[o];
      const literal = entry.trim();
      if (allowed && allowed.length > 0 && isLiteral(literal) && !allowed.includes(literal)) {
        push({
          code: C.outputValues,
          severity: 'error',
          location: `${where} ${outputLocation(o)}`,
          ruleId: rule.id,
          message: `decision '${d.id}' ${where} ${outputLocation(o)}: ${literal} is not one of the output values ${allowed.join(', ')}`,
        });
      }
    });
  });
  if (!entriesOk || !(HIT_POLICIES as readonly string[]).includes(hitPolicy)) return;
  lintCoverage(d, t, push, options, inputLocation);
}

/** Overlaps where the hit policy forbids them, and gaps of single-hit tables. */
function lintCoverage(
  d: DmnDecision,
  t: DmnTable,
  push: Push,
  options: DecisionLintOptions,
  inputLocation: (i: number) => string,
): void {
  const columns: ({ cells: ColumnCells; sets: readonly EntrySet[] } | undefined)[] = t.inputs.map(
    (input, i) =>
      columnCells(
        t.rules.map((r) => r.inputEntries[i]!),
        input.inputValues,
      ),
  );
  const describe = (cells: readonly Cell[]) =>
    cells.length === 0
      ? 'any input'
      : cells
          .map(
            (c, i) =>
              `${t.inputs[i]!.label ?? t.inputs[i]!.expression} ${c.text.startsWith('in ') || c.text.startsWith('= ') ? c.text : `= ${c.text}`}`,
          )
          .join(', ');

  // Overlaps: two rules overlap when, in every column, some cell satisfies both entries.
  const checkOverlap = t.hitPolicy === 'UNIQUE' || t.hitPolicy === 'ANY';
  if (checkOverlap) {
    for (let a = 0; a < t.rules.length; a++) {
      for (let b = a + 1; b < t.rules.length; b++) {
        const ra = t.rules[a]!;
        const rb = t.rules[b]!;
        if (t.hitPolicy === 'ANY' && sameOutputs(ra.outputEntries, rb.outputEntries)) continue;
        const witness: Cell[] = [];
        let overlaps = true;
        for (let i = 0; i < t.inputs.length && overlaps; i++) {
          const col = columns[i];
          if (!col) {
            overlaps = false; // cannot tell: not reported
            break;
          }
          const cell = col.cells.cells.find(
            (c) => holds(col.sets[a]!, c.sample) && holds(col.sets[b]!, c.sample),
          );
          if (!cell) overlaps = false;
          else witness.push(cell);
        }
        if (!overlaps) continue;
        push({
          code: C.overlap,
          severity: 'error',
          location: `rules ${a + 1} and ${b + 1}`,
          ruleId: rb.id,
          message:
            t.hitPolicy === 'UNIQUE'
              ? `decision '${d.id}': rules ${a + 1} ('${ra.id}') and ${b + 1} ('${rb.id}') both match ${describe(witness)}; hit policy UNIQUE allows one matching rule`
              : `decision '${d.id}': rules ${a + 1} ('${ra.id}') and ${b + 1} ('${rb.id}') both match ${describe(witness)} with different outputs; hit policy ANY needs equal outputs`,
        });
      }
    }
  }

  // Gaps: single-hit tables without defaults, every column classified, a bounded product.
  const singleHit = ['UNIQUE', 'ANY', 'FIRST', 'PRIORITY'].includes(t.hitPolicy);
  const hasDefault = t.outputs.some((o) => o.defaultOutputEntry !== undefined);
  if (!singleHit || hasDefault || columns.some((c) => !c)) return;
  const cols = columns as { cells: ColumnCells; sets: readonly EntrySet[] }[];
  const limit = options.maxGapCombinations ?? 20_000;
  let total = 1;
  for (const c of cols) {
    total *= Math.max(1, c.cells.cells.length);
    if (total > limit) return;
  }
  const gaps: Cell[][] = [];
  const combo: Cell[] = [];
  const walk = (i: number): void => {
    if (gaps.length >= 3) return;
    if (i === cols.length) {
      const covered = t.rules.some((_, r) =>
        combo.every((cell, c) => holds(cols[c]!.sets[r]!, cell.sample)),
      );
      if (!covered) gaps.push([...combo]);
      return;
    }
    for (const cell of cols[i]!.cells.cells) {
      combo.push(cell);
      walk(i + 1);
      combo.pop();
    }
  };
  walk(0);
  for (const gap of gaps) {
    push({
      code: C.gap,
      severity: 'warning',
      location: t.inputs.length > 0 ? gap.map((_, i) => inputLocation(i)).join(', ') : 'rules',
      message: `decision '${d.id}': no rule matches ${describe(gap)}; the decision gives null there (add a rule or a default output)`,
    });
  }
}

function sameOutputs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v.trim() === b[i]!.trim());
}

/** Names an expression uses that are not in scope (feelin's `NO_VARIABLE_FOUND` warnings). */
function unknownNames(
  source: string,
  grammar: 'expression' | 'unaryTests',
  known: readonly string[],
): string[] {
  if (source.trim() === '' || (grammar === 'unaryTests' && source.trim() === '-')) return [];
  const context: Record<string, unknown> = Object.fromEntries(known.map((n) => [n, null]));
  let warnings: readonly { type: string; message: string }[];
  try {
    warnings =
      grammar === 'expression'
        ? evaluate(source, context).warnings
        : unaryTest(source, { ...context, '?': null }).warnings;
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const w of warnings) {
    if (w.type !== 'NO_VARIABLE_FOUND') continue;
    const m = /Variable '(.*)' not found/.exec(w.message);
    if (m) names.add(m[1]!);
  }
  return [...names];
}

/** Splits an output values list (`"high","medium","low"`) into its literals, as written. */
export function splitList(source: string): string[] {
  const items: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      items.push(source.slice(start, i).trim());
      start = i + 1;
    }
  }
  items.push(source.slice(start).trim());
  return items.filter((s) => s !== '');
}

function isLiteral(source: string): boolean {
  return (
    /^"(?:[^"\\]|\\.)*"$/.test(source) ||
    /^-?\d+(\.\d+)?$/.test(source) ||
    source === 'true' ||
    source === 'false'
  );
}

/** Decisions on a requirement cycle. */
function requirementCycle(decisions: readonly DmnDecision[]): string[] {
  const byId = new Map(decisions.map((d) => [d.id, d]));
  const state = new Map<string, 'visiting' | 'done'>();
  const onCycle = new Set<string>();
  const visit = (id: string, path: string[]): void => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') {
      path.slice(path.indexOf(id)).forEach((p) => onCycle.add(p));
      return;
    }
    state.set(id, 'visiting');
    for (const req of byId.get(id)?.requires ?? []) if (byId.has(req)) visit(req, [...path, id]);
    state.set(id, 'done');
  };
  for (const d of decisions) visit(d.id, []);
  return [...onCycle].sort();
}
