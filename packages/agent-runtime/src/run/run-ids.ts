import { v5 as uuidv5 } from 'uuid';

// Name-based ids (UUID version 5, RFC 9562): the same name always gives the same id, so a run
// repeated under the same invocation (a retried `agentTask` activity) finds what the earlier
// attempt recorded instead of recording it twice.
const AGENT_IDS = '5d0f3c1e-8a4b-4f6e-9c2d-7b1a0e9f4c38';

/** The run id of one invocation (e.g. workflow id, run id and activity id of an `agentTask`). */
export function runIdOf(invocationKey: string): string {
  return uuidv5(`run:${invocationKey}`, AGENT_IDS);
}

/** The id of the nth proposal (from 1) of a run. */
export function proposalIdOf(runId: string, sequence: number): string {
  return uuidv5(`proposal:${runId}/${sequence}`, AGENT_IDS);
}
