import { describe, expect, it } from 'vitest';
import { runStatusOf } from './run-status.js';

describe('instance overlay', () => {
  it('marks completed, active and (in a failed instance) failed nodes', () => {
    const audit = [
      { event: 'entered', nodeId: 'Start' },
      { event: 'completed', nodeId: 'Start' },
      { event: 'entered', nodeId: 'Review' },
      { event: 'entered', nodeId: 'Charge' },
    ];
    expect(
      Object.fromEntries(runStatusOf({ failed: false, tokens: [{ nodeId: 'Review' }], audit })),
    ).toEqual({ Start: 'completed', Review: 'active' });
    expect(Object.fromEntries(runStatusOf({ failed: true, tokens: [], audit }))).toEqual({
      Start: 'completed',
      Review: 'failed',
      Charge: 'failed',
    });
  });
});
