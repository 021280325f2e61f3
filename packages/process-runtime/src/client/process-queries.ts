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

/**
 * The visibility filter of ListProcessInstances. The tenant clause comes first and every other
 * clause is ANDed to it; values go through {@link visibilityLiteral}, so an unsearchable value
 * is refused here, before Temporal is called.
 */
export function instancesQuery(tenantId: string, filter: InstancesQueryFilter = {}): string {
  const clauses = [tenantClause(tenantId), `ExecutionStatus != 'ContinuedAsNew'`];
  if (filter.definition)
    clauses.push(`${SA.definition.name} = ${visibilityLiteral(filter.definition, 'definition')}`);
  if (filter.status)
    clauses.push(`${SA.status.name} = ${visibilityLiteral(filter.status, 'status')}`);
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
