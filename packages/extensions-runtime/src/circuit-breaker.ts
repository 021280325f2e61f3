/** Settings of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit; 5 by default. */
  readonly failureThreshold?: number;
  /** How long an open circuit refuses before it lets one trial call through; 30 s by default. */
  readonly coolDownMs?: number;
  /** The clock (tests pass their own). */
  readonly now?: () => number;
}

/** What {@link CircuitBreaker.check} decides for one call. */
export type CircuitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly openUntil: number; readonly failures: number };

/** Per-key circuit breakers: closed, open after N consecutive failures, half-open after a cool-down. */
export interface CircuitBreaker {
  /** Whether a call for `key` may run now (a half-open circuit admits one trial at a time). */
  check(key: string): CircuitDecision;
  /** Records the end of a call that {@link check} admitted. */
  record(key: string, ok: boolean): void;
  /** Ends an admitted call that says nothing about health (e.g. the host shut down). */
  release(key: string): void;
  /** `closed`, `open` or `half-open` (for health pages and tests). */
  state(key: string): 'closed' | 'open' | 'half-open';
}

interface Circuit {
  failures: number;
  openUntil: number | undefined;
  trialRunning: boolean;
}

/**
 * Creates the breakers the runtime keeps per extension: a guest that keeps failing (loops,
 * traps, limit breaches) is refused fast instead of costing a worker each time.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const coolDownMs = options.coolDownMs ?? 30_000;
  const now = options.now ?? Date.now;
  const circuits = new Map<string, Circuit>();
  const get = (key: string): Circuit => {
    let c = circuits.get(key);
    if (!c) {
      c = { failures: 0, openUntil: undefined, trialRunning: false };
      circuits.set(key, c);
    }
    return c;
  };
  return {
    check(key) {
      const c = circuits.get(key);
      if (!c || c.openUntil === undefined) return { allowed: true };
      if (now() < c.openUntil || c.trialRunning) {
        return { allowed: false, openUntil: c.openUntil, failures: c.failures };
      }
      c.trialRunning = true;
      return { allowed: true };
    },
    record(key, ok) {
      const c = get(key);
      const wasTrial = c.trialRunning;
      c.trialRunning = false;
      if (ok) {
        c.failures = 0;
        c.openUntil = undefined;
        return;
      }
      c.failures++;
      // A failed trial re-opens at once; otherwise the threshold decides.
      if (wasTrial || c.failures >= threshold) c.openUntil = now() + coolDownMs;
    },
    release(key) {
      const c = circuits.get(key);
      if (c) c.trialRunning = false;
    },
    state(key) {
      const c = circuits.get(key);
      if (!c || c.openUntil === undefined) return 'closed';
      return now() < c.openUntil ? 'open' : 'half-open';
    },
  };
}
