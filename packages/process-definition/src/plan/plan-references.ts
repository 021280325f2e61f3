import type { ExecutionPlan } from './execution-plan.js';

/** What a plan calls: proto methods (service tasks and their compensations), processes, agents, decisions. */
export interface PlanReferences {
  /** `pkg.Service/Method`, sorted, once each. */
  readonly calls: readonly string[];
  /** Process definitions started by call activities, by name. */
  readonly processes: readonly string[];
  /** Agents invoked by agent tasks, by name. */
  readonly agents: readonly string[];
  /** Decision definitions evaluated by business rule tasks, by name. */
  readonly decisions: readonly string[];
}

/** The references of a plan, for catalogs such as the Graph. */
export function planReferences(plan: ExecutionPlan): PlanReferences {
  const calls = new Set<string>();
  const processes = new Set<string>();
  const agents = new Set<string>();
  const decisions = new Set<string>();
  for (const node of Object.values(plan.nodes)) {
    if (node.type === 'serviceTask' || node.type === 'sendTask') {
      calls.add(node.call.rpc);
      if (node.call.compensation) calls.add(node.call.compensation.rpc);
    } else if (node.type === 'callActivity') processes.add(node.call.definition);
    else if (node.type === 'agentTask') agents.add(node.agent.agent);
    else if (node.type === 'businessRuleTask') decisions.add(node.decision.decision);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    calls: sorted(calls),
    processes: sorted(processes),
    agents: sorted(agents),
    decisions: sorted(decisions),
  };
}
