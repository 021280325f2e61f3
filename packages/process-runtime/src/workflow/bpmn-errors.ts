import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  TimeoutFailure,
} from '@temporalio/workflow';
import { BPMN_ERROR_TYPE, type DomainFailureDetails } from './activity-types.js';

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

/**
 * Turns a failed activity or child workflow into a BpmnError: a domain error's ErrorInfo reason
 * becomes the error code; a timeout becomes `DEADLINE_EXCEEDED`.
 */
export function bpmnErrorFrom(err: unknown): BpmnError | undefined {
  if (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const details = cause.details?.[0] as Partial<DomainFailureDetails> | string | undefined;
      if (cause.type === BPMN_ERROR_TYPE && typeof details === 'string')
        return new BpmnError(details, cause.message);
      if (
        details !== undefined &&
        typeof details === 'object' &&
        typeof details.reason === 'string'
      )
        return new BpmnError(details.reason, cause.message);
      return new BpmnError(normalizeErrorCode(cause.type ?? 'UNKNOWN'), cause.message);
    }
    if (cause instanceof TimeoutFailure) return new BpmnError('DEADLINE_EXCEEDED', cause.message);
    return new BpmnError('UNKNOWN', cause?.message ?? err.message);
  }
  return undefined;
}
