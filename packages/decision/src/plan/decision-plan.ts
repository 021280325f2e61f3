/**
 * The DecisionPlan: a DMN 1.3 model compiled for evaluation. Plain JSON, types only, so the
 * Temporal workflow sandbox can import it. The Transformation Domain stores its canonical JSON
 * next to the published DMN XML; a business rule task is pinned to its SHA-256.
 */
export interface DecisionPlan {
  readonly planVersion: 1;
  readonly definitions: { readonly id: string; readonly name?: string };
  /** Decisions by id (keys sorted). */
  readonly decisions: Readonly<Record<string, PlanDecision>>;
  /** Input data declared in the model (`inputData` names), sorted. */
  readonly inputData: readonly string[];
  /**
   * The decision evaluated when a caller names none: the only decision no other decision
   * requires. Absent when there are several such decisions.
   */
  readonly defaultDecision?: string;
}

export interface PlanDecision {
  readonly id: string;
  /** The decision's variable name: its result is bound to it in decisions that require it. */
  readonly name: string;
  /** Ids of the decisions it requires, in document order. */
  readonly requires: readonly string[];
  readonly logic: PlanDecisionTable | PlanLiteralExpression;
}

export interface PlanLiteralExpression {
  readonly type: 'literalExpression';
  readonly expression: string;
}

/** DMN 1.3 hit policies (§8.2.11). */
export const HIT_POLICIES = [
  'UNIQUE',
  'FIRST',
  'PRIORITY',
  'ANY',
  'COLLECT',
  'RULE ORDER',
  'OUTPUT ORDER',
] as const;
export type HitPolicy = (typeof HIT_POLICIES)[number];

/** Aggregations of a COLLECT table (`C+`, `C<`, `C>`, `C#`). */
export const AGGREGATIONS = ['SUM', 'MIN', 'MAX', 'COUNT'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface PlanDecisionTable {
  readonly type: 'decisionTable';
  readonly id: string;
  readonly hitPolicy: HitPolicy;
  readonly aggregation?: Aggregation;
  readonly inputs: readonly PlanInput[];
  readonly outputs: readonly PlanOutput[];
  readonly rules: readonly PlanRule[];
}

export interface PlanInput {
  readonly id: string;
  readonly label?: string;
  /** FEEL expression giving the input value. */
  readonly expression: string;
  readonly typeRef?: string;
  /** FEEL unary tests constraining the value (`inputValues`), as written. */
  readonly inputValues?: string;
}

export interface PlanOutput {
  readonly id: string;
  /** Context key of this output; required when the table has more than one output. */
  readonly name?: string;
  readonly label?: string;
  readonly typeRef?: string;
  /**
   * The output's values in priority order (highest first), as FEEL literals: what PRIORITY and
   * OUTPUT ORDER rank by.
   */
  readonly outputValues?: readonly string[];
  /** FEEL expression used when no rule matches (single-hit tables). */
  readonly defaultOutputEntry?: string;
}

export interface PlanRule {
  readonly id: string;
  readonly description?: string;
  /** One FEEL unary test per input (`-` matches anything). */
  readonly inputEntries: readonly string[];
  /** One FEEL expression per output. */
  readonly outputEntries: readonly string[];
}

/** Current DecisionPlan format version. */
export const DECISION_PLAN_VERSION = 1;
