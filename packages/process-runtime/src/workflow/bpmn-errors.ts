/** A BPMN error thrown inside the instance: caught by a matching error boundary, else fails it. */
export class BpmnError extends Error {
  override readonly name = 'BpmnError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The instance cannot go on: a modelling or data problem (no flow taken, bad FEEL result). */
export class ProcessIncident extends Error {
  override readonly name = 'ProcessIncident';
  constructor(
    readonly nodeId: string,
    message: string,
  ) {
    super(message);
  }
}

/** `PaymentDeclined`, `payment-declined` and `PAYMENT_DECLINED` all become `PAYMENT_DECLINED`. */
export function normalizeErrorCode(code: string): string {
  return code
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/**
 * Whether an error boundary's code catches a thrown code. Domain errors carry UPPER_SNAKE
 * reasons (`PAYMENT_DECLINED`); BPMN models often name the same code `PaymentDeclined`.
 */
export function errorCodeMatches(boundaryCode: string | undefined, thrown: string): boolean {
  if (boundaryCode === undefined) return true;
  return boundaryCode === thrown || normalizeErrorCode(boundaryCode) === normalizeErrorCode(thrown);
}
