import { AmeideError, type FieldViolation } from '@ameide/errors';
import type { ExecutionPlan } from '@ameide/process-definition/plan';

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'list':
    case 'array':
      return Array.isArray(v);
    case 'object':
    case 'context':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return true;
  }
}

/** Refuses start variables that miss a required declared variable or have the wrong type. */
export function checkStartVariables(
  plan: ExecutionPlan,
  variables: Readonly<Record<string, unknown>>,
  /** Where the variables came from in the request (`payload` for a message or signal start). */
  field = 'variables',
): void {
  const violations: FieldViolation[] = [];
  for (const v of plan.variables) {
    const value = variables[v.name];
    if (value === undefined || value === null) {
      if (v.required)
        violations.push({ field: `${field}.${v.name}`, description: `is required (${v.type})` });
    } else if (!typeOk(v.type, value)) {
      violations.push({ field: `${field}.${v.name}`, description: `must be a ${v.type}` });
    }
  }
  if (violations.length > 0) {
    throw AmeideError.invalidArgument(
      `start variables of ${plan.process.id} are invalid: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
      violations,
      { reason: 'INVALID_VARIABLES', domain: 'ameide.process' },
    );
  }
}
