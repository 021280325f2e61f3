import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '@ameide/extensions-runtime';

describe('createCircuitBreaker', () => {
  it('opens after N consecutive failures, admits one trial after the cool-down', () => {
    let now = 1_000;
    const b = createCircuitBreaker({ failureThreshold: 2, coolDownMs: 500, now: () => now });
    b.record('x', false);
    b.record('x', true); // a success resets the count
    b.record('x', false);
    expect(b.check('x')).toEqual({ allowed: true });
    b.record('x', false);
    expect(b.check('x')).toEqual({ allowed: false, openUntil: 1_500, failures: 2 });
    expect(b.check('y')).toEqual({ allowed: true });

    now = 1_500;
    expect(b.state('x')).toBe('half-open');
    expect(b.check('x')).toEqual({ allowed: true });
    expect(b.check('x').allowed).toBe(false); // only one trial at a time
    b.record('x', false); // the trial failed: open again at once
    expect(b.check('x')).toMatchObject({ allowed: false, openUntil: 2_000 });

    now = 2_000;
    expect(b.check('x').allowed).toBe(true);
    b.release('x'); // the trial said nothing (host shutting down): the next call may try
    expect(b.check('x').allowed).toBe(true);
    b.record('x', true);
    expect(b.state('x')).toBe('closed');
  });
});
