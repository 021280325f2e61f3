/** One finding of the decision lint. */
export interface DecisionDiagnostic {
  /** Stable rule code, `DMN001`…. */
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** The decision it is about, when it is about one. */
  readonly decisionId?: string;
  /** The rule (its id), when it is about one. */
  readonly ruleId?: string;
  /**
   * Where in the decision: `input 2`, `rule 3 input 1`, `rule 'r3' output 1`, `hitPolicy` ….
   * 1-based, as a modeller counts columns and rows.
   */
  readonly location?: string;
}

/** The lint rules, by name. */
export const DECISION_LINT_CODES = {
  notDmn: 'DMN001',
  noDecision: 'DMN002',
  unsupportedLogic: 'DMN003',
  feelSyntax: 'DMN004',
  unknownName: 'DMN005',
  entryCount: 'DMN006',
  overlap: 'DMN007',
  gap: 'DMN008',
  hitPolicy: 'DMN009',
  outputNames: 'DMN010',
  outputValues: 'DMN011',
  requirement: 'DMN012',
  duplicateId: 'DMN013',
} as const;
