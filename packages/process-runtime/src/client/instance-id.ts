import { AmeideError, ErrorCode } from '@ameide/errors';

/**
 * Workflow ids are `<tenant>:<instance id>`: built server-side from the caller's tenant, so an
 * instance id of another tenant names a workflow that does not exist for the caller.
 */
export function workflowIdOf(tenantId: string, instanceId: string): string {
  if (instanceId === '' || instanceId.length > 400 || /\s/.test(instanceId)) {
    throw AmeideError.invalidArgument('instance_id is not a process instance id', [
      { field: 'instance_id', description: 'the id StartProcess answered' },
    ]);
  }
  return `${tenantId}:${instanceId}`;
}

/** The instance id of a workflow id of `tenantId`'s; `not_found` for another tenant's. */
export function instanceIdOf(tenantId: string, workflowId: string): string {
  const prefix = `${tenantId}:`;
  if (!workflowId.startsWith(prefix)) {
    throw new AmeideError(ErrorCode.NotFound, 'process instance not found', {
      reason: 'INSTANCE_NOT_FOUND',
      domain: 'ameide.process',
    });
  }
  return workflowId.slice(prefix.length);
}
