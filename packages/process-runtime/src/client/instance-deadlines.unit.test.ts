import { ServiceError, type Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import { updateWithin } from './instance-deadlines.js';

// What Temporal answers an update of a workflow whose last workflow task failed.
const stuck = new ServiceError('Workflow Update failed', {
  cause: Object.assign(
    new Error(
      '9 FAILED_PRECONDITION: Unable to perform workflow execution update due to Workflow Task in failed state.',
    ),
    {
      code: 9,
      details: 'Unable to perform workflow execution update due to Workflow Task in failed state.',
      metadata: {},
    },
  ),
});
const client = {
  withDeadline: (_d: unknown, fn: () => Promise<unknown>) => fn(),
} as unknown as Client;

describe('updateWithin', () => {
  it('answers an update of a stuck instance failed_precondition with Temporal’s reason, not internal', async () => {
    const err: unknown = await updateWithin(client, 'i-1', () => Promise.reject(stuck)).catch(
      (e: unknown) => e,
    );
    expect(isAmeideError(err) && err.code).toBe('failed_precondition');
    expect((err as Error).message).toBe(
      'process instance i-1 cannot take it now: Unable to perform workflow execution update due to Workflow Task in failed state.',
    );
  });

  it('passes other failures and results through', async () => {
    const other = new Error('boom');
    await expect(updateWithin(client, 'i-1', () => Promise.reject(other))).rejects.toBe(other);
    await expect(updateWithin(client, 'i-1', () => Promise.resolve(7))).resolves.toBe(7);
  });
});
