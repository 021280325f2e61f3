import { canonicalJson, sha256Hex } from '@ameide/process-definition/plan';
import { readDmn, type DmnDecision, type DmnDocument } from '../dmn/read-dmn.js';
import { DECISION_LINT_CODES, type DecisionDiagnostic } from '../lint/decision-diagnostic.js';
import { lintDmnDocument, splitList, type DecisionLintOptions } from '../lint/lint-decision.js';
import {
  DECISION_PLAN_VERSION,
  type Aggregation,
  type DecisionPlan,
  type HitPolicy,
  type PlanDecision,
} from '../plan/decision-plan.js';

/** Largest DecisionPlan accepted (canonical JSON, UTF-8): it travels in a Temporal payload. */
export const MAX_DECISION_PLAN_BYTES = 1024 * 1024;

export type CompileDecisionResult =
  | {
      readonly ok: true;
      readonly plan: DecisionPlan;
      /** The plan as canonical JSON: what is stored and hashed. */
      readonly json: string;
      /** SHA-256 of {@link json} (UTF-8), lowercase hex. */
      readonly hash: string;
      /** Lint warnings (compilation proceeds only without errors). */
      readonly diagnostics: readonly DecisionDiagnostic[];
    }
  | { readonly ok: false; readonly diagnostics: readonly DecisionDiagnostic[] };

export type LintDecisionResult = {
  readonly diagnostics: readonly DecisionDiagnostic[];
  readonly errorCount: number;
  readonly warningCount: number;
  /** The document as read, when the XML is DMN 1.3. */
  readonly document?: DmnDocument;
};

/** Reads DMN 1.3 XML and lints it. Never throws. */
export async function lintDecision(
  xml: string,
  options: DecisionLintOptions = {},
): Promise<LintDecisionResult> {
  const read = await readDmn(xml);
  if (!read.ok) {
    return {
      diagnostics: [{ code: DECISION_LINT_CODES.notDmn, severity: 'error', message: read.message }],
      errorCount: 1,
      warningCount: 0,
    };
  }
  const diagnostics = lintDmnDocument(read.document, options);
  return {
    diagnostics,
    errorCount: diagnostics.filter((d) => d.severity === 'error').length,
    warningCount: diagnostics.filter((d) => d.severity === 'warning').length,
    document: read.document,
  };
}

/**
 * Compiles DMN 1.3 XML into a {@link DecisionPlan}: lints first and refuses on any lint error.
 * Deterministic: the same model gives byte-identical `json` and the same `hash` (layout and
 * documentation are not in the plan). Never throws.
 */
export async function compileDecision(
  xml: string,
  options: DecisionLintOptions = {},
): Promise<CompileDecisionResult> {
  const lint = await lintDecision(xml, options);
  if (lint.errorCount > 0 || !lint.document) return { ok: false, diagnostics: lint.diagnostics };
  const plan = planFromDocument(lint.document);
  const json = canonicalJson(plan);
  const bytes = new TextEncoder().encode(json);
  if (bytes.length > MAX_DECISION_PLAN_BYTES) {
    return {
      ok: false,
      diagnostics: [
        ...lint.diagnostics,
        {
          code: 'DMN100',
          severity: 'error',
          message: `the compiled decision is ${bytes.length} bytes, over the ${MAX_DECISION_PLAN_BYTES}-byte limit`,
        },
      ],
    };
  }
  return { ok: true, plan, json, hash: sha256Hex(bytes), diagnostics: lint.diagnostics };
}

/**
 * The plan of a read document, without linting it: for callers that lint apart (and tests that
 * evaluate tables the lint would refuse). Throws on a decision whose logic is not supported.
 */
export function planFromDocument(doc: DmnDocument): DecisionPlan {
  const decisions: Record<string, PlanDecision> = {};
  for (const d of [...doc.decisions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    decisions[d.id] = planDecision(d);
  const required = new Set(doc.decisions.flatMap((d) => d.requires));
  const top = doc.decisions.filter((d) => !required.has(d.id)).map((d) => d.id);
  return {
    planVersion: DECISION_PLAN_VERSION,
    definitions: { id: doc.id, ...(doc.name !== undefined ? { name: doc.name } : {}) },
    decisions,
    inputData: [...new Set(doc.inputData.map((i) => i.name))].sort(),
    ...(top.length === 1 ? { defaultDecision: top[0]! } : {}),
  };
}

function planDecision(d: DmnDecision): PlanDecision {
  const logic = d.logic;
  if (logic.type === 'unsupported') throw new Error(`decision '${d.id}' cannot be compiled`);
  if (logic.type === 'literalExpression') {
    return {
      id: d.id,
      name: d.name,
      requires: d.requires,
      logic: { type: 'literalExpression', expression: logic.expression },
    };
  }
  return {
    id: d.id,
    name: d.name,
    requires: d.requires,
    logic: {
      type: 'decisionTable',
      id: logic.id,
      hitPolicy: logic.hitPolicy as HitPolicy,
      ...(logic.aggregation !== undefined ? { aggregation: logic.aggregation as Aggregation } : {}),
      inputs: logic.inputs.map((i) => ({
        id: i.id,
        ...(i.label !== undefined ? { label: i.label } : {}),
        expression: i.expression,
        ...(i.typeRef !== undefined ? { typeRef: i.typeRef } : {}),
        ...(i.inputValues !== undefined ? { inputValues: i.inputValues } : {}),
      })),
      outputs: logic.outputs.map((o) => ({
        id: o.id,
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.label !== undefined ? { label: o.label } : {}),
        ...(o.typeRef !== undefined ? { typeRef: o.typeRef } : {}),
        ...(o.outputValues !== undefined ? { outputValues: splitList(o.outputValues) } : {}),
        ...(o.defaultOutputEntry !== undefined ? { defaultOutputEntry: o.defaultOutputEntry } : {}),
      })),
      rules: logic.rules.map((r) => ({
        id: r.id,
        ...(r.description !== undefined ? { description: r.description } : {}),
        inputEntries: r.inputEntries,
        outputEntries: r.outputEntries,
      })),
    },
  };
}
