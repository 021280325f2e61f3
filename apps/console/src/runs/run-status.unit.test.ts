import { describe, expect, it } from 'vitest';
import { runStatusOf } from './run-status.js';

const audit = [
  { event: 'started', nodeId: '' },
  { event: 'entered', nodeId: 'Start' },
  { event: 'entered', nodeId: 'Review' },
  { event: 'taskCreated', nodeId: 'Review' },
];

describe('instance overlay', () => {
  it('marks passed nodes completed and the node waiting on a task or token active', () => {
    expect(
      Object.fromEntries(
        runStatusOf({ failed: false, tokens: [], openTasks: [{ nodeId: 'Review' }], audit }),
      ),
    ).toEqual({ Start: 'completed', Review: 'active' });
    expect(
      Object.fromEntries(
        runStatusOf({ failed: false, tokens: [{ nodeId: 'Review' }], openTasks: [], audit }),
      ),
    ).toEqual({ Start: 'completed', Review: 'active' });
  });

  it('marks where a failed instance stopped as failed', () => {
    const failing = [
      ...audit,
      { event: 'taskCompleted', nodeId: 'Review' },
      { event: 'entered', nodeId: 'Charge' },
    ];
    expect(
      Object.fromEntries(runStatusOf({ failed: true, tokens: [], openTasks: [], audit: failing })),
    ).toEqual({ Start: 'completed', Review: 'completed', Charge: 'failed' });
  });
});
