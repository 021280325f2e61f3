/** Why a decision gave no result. */
export type DecisionErrorCode =
  | 'DECISION_REQUIRED'
  | 'DECISION_NOT_FOUND'
  | 'REQUIREMENT_CYCLE'
  | 'HIT_POLICY_VIOLATION'
  | 'FEEL_FAILED';

/**
 * A decision could not be evaluated. `at` names where: the decision, or the decision, rule and
 * column of the entry that failed.
 */
export class DecisionEvaluationError extends Error {
  override readonly name = 'DecisionEvaluationError';
  constructor(
    readonly code: DecisionErrorCode,
    readonly at: string,
    message: string,
  ) {
    super(message);
  }
}

/** Guard that survives duplicated packages and the workflow sandbox (checks the name). */
export function isDecisionEvaluationError(err: unknown): err is DecisionEvaluationError {
  return err instanceof Error && err.name === 'DecisionEvaluationError' && 'code' in err;
}
