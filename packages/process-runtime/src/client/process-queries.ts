import { processSearchAttributes as SA } from '../workflow/search-attributes.js';
import type { InstanceStatus } from '../workflow/types.js';
import { assertSearchable, visibilityLiteral } from './visibility-query.js';

/** Filters of ListProcessInstances as they reach the visibility query. */
export interface InstancesQueryFilter {
  readonly definition?: string;
  readonly status?: InstanceStatus;
  readonly businessKey?: string;
}

const tenantClause = (tenantId: string): string =>
  `${SA.tenant.name} = ${visibilityLiteral(tenantId, 'tenant_id')}`;

/** Temporal execution statuses each closed instance status stands for when no status was recorded. */
const closedExecutionStatuses: Record<Exclude<InstanceStatus, 'RUNNING'>, readonly string[]> = {
  COMPLETED: ['Completed'],
  FAILED: ['Failed', 'TimedOut'],
  CANCELLED: ['Canceled', 'Terminated'],
};

/**
 * The clause selecting the instances whose status (as the list reports it) is `status`. An
 * instance is running while its execution runs, even after the workflow recorded its outcome in
 * the status attribute and before the execution closed; a closed one reports the outcome it
 * recorded, or its execution's status when it closed without recording one (terminated, timed out).
 */
function statusClause(status: InstanceStatus): string {
  if (status === 'RUNNING') return `ExecutionStatus = 'Running'`;
  const closedAs = closedExecutionStatuses[status].map((s) => `'${s}'`).join(', ');
  return (
    `ExecutionStatus != 'Running' AND (${SA.status.name} = ${visibilityLiteral(status, 'status')}` +
    ` OR (${SA.status.name} = 'RUNNING' AND ExecutionStatus IN (${closedAs})))`
  );
}

/**
 * The visibility filter of ListProcessInstances. The tenant clause comes first and every other
 * clause is ANDed to it; values go through {@link visibilityLiteral}, so an unsearchable value
 * is refused here, before Temporal is called.
 */
export function instancesQuery(tenantId: string, filter: InstancesQueryFilter = {}): string {
  const clauses = [tenantClause(tenantId), `ExecutionStatus != 'ContinuedAsNew'`];
  if (filter.definition)
    clauses.push(`${SA.definition.name} = ${visibilityLiteral(filter.definition, 'definition')}`);
  if (filter.status) clauses.push(statusClause(filter.status));
  if (filter.businessKey)
    clauses.push(
      `${SA.businessKey.name} = ${visibilityLiteral(filter.businessKey, 'business_key')}`,
    );
  return clauses.join(' AND ');
}

/**
 * The `processSearchAttributes.taskCandidates` values that make a task the caller's: `any`,
 * `user:<id>` and `group:<name>` of each of the caller's groups (the workflow writes the same
 * forms).
 */
export function taskCandidatesOf(userId: string, groups: readonly string[]): string[] {
  assertSearchable(userId, 'user_id');
  for (const g of groups) assertSearchable(g, 'groups');
  return ['any', `user:${userId}`, ...groups.map((g) => `group:${g}`)];
}

/** The visibility filter of running instances of the tenant with one of `candidates` open. */
export function userTasksQuery(tenantId: string, candidates: readonly string[]): string {
  return [
    tenantClause(tenantId),
    `ExecutionStatus = 'Running'`,
    `${SA.taskCandidates.name} IN (${candidates.map((c) => visibilityLiteral(c, 'groups')).join(', ')})`,
  ].join(' AND ');
}

/**
 * The `processSearchAttributes.messages` value of a subscription
 * (`<message name>:<correlation key>`).
 */
export function messageSubscriptionOf(name: string, correlationKey: string): string {
  assertSearchable(name, 'message_name');
  assertSearchable(correlationKey, 'correlation_key');
  return `${name}:${correlationKey}`;
}

/** The visibility filter of the tenant's running instances waiting for `subscription`. */
export function subscribersQuery(tenantId: string, subscription: string): string {
  return [
    tenantClause(tenantId),
    `ExecutionStatus = 'Running'`,
    `${SA.messages.name} = ${visibilityLiteral(subscription, 'correlation_key')}`,
  ].join(' AND ');
}
