import type { RunStatus } from '../model/flow-mapping.js';

/** What the instance view needs from a ProcessInstance (kept proto-free so it is unit-testable). */
export interface InstanceTrace {
  readonly failed: boolean;
  readonly tokens: readonly { readonly nodeId: string }[];
  readonly audit: readonly { readonly event: string; readonly nodeId: string }[];
}

const DONE_EVENTS = new Set(['completed', 'taskCompleted', 'boundaryFired', 'compensated']);

/**
 * The diagram overlay of an instance: nodes holding a token are active, nodes the audit trail
 * completed are completed, and in a failed instance the nodes it entered but never finished failed.
 */
export function runStatusOf(trace: InstanceTrace): Map<string, RunStatus> {
  const out = new Map<string, RunStatus>();
  const entered = new Set<string>();
  for (const a of trace.audit) {
    if (!a.nodeId) continue;
    if (DONE_EVENTS.has(a.event)) out.set(a.nodeId, 'completed');
    else entered.add(a.nodeId);
  }
  for (const t of trace.tokens) if (t.nodeId) out.set(t.nodeId, 'active');
  if (trace.failed) for (const id of entered) if (!out.has(id)) out.set(id, 'failed');
  return out;
}
