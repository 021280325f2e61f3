import type { RunStatus } from '../model/flow-mapping.js';

/** What the instance view needs from a ProcessInstance (kept proto-free so it is unit-testable). */
export interface InstanceTrace {
  readonly failed: boolean;
  readonly tokens: readonly { readonly nodeId: string }[];
  /** Open user tasks (their nodes hold the instance). */
  readonly openTasks: readonly { readonly nodeId: string }[];
  readonly audit: readonly { readonly event: string; readonly nodeId: string }[];
}

/**
 * The diagram overlay of an instance: nodes holding a token or an open task are active; every
 * other node the audit trail entered was passed (completed) — except, in a failed instance, the
 * last node entered, where it failed.
 */
export function runStatusOf(trace: InstanceTrace): Map<string, RunStatus> {
  const out = new Map<string, RunStatus>();
  const active = new Set(
    [...trace.tokens, ...trace.openTasks].map((t) => t.nodeId).filter(Boolean),
  );
  let lastEntered: string | undefined;
  for (const a of trace.audit) {
    if (!a.nodeId) continue;
    out.set(a.nodeId, 'completed');
    if (a.event === 'entered') lastEntered = a.nodeId;
  }
  for (const id of active) out.set(id, 'active');
  if (trace.failed && lastEntered !== undefined && !active.has(lastEntered))
    out.set(lastEntered, 'failed');
  return out;
}
