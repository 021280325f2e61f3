import { errorCodeMatches } from '../bpmn-errors.js';
import type { LiveToken, NodeContext } from '../engine/token-engine.js';
import type { ChildEscalation } from '../types.js';

/** How a thrown escalation was taken: whether its catcher interrupted the thrower. */
export interface Escalated {
  readonly interrupting: boolean;
  /**
   * Set when nothing here caught it and it goes to the calling instance: the thrower waits for
   * it before going on, so the caller has it before this instance can end.
   */
  readonly passed?: Promise<void>;
}

/**
 * Throws escalation `code` from `token`: the innermost catcher wins, level by level outwards
 * from the token's scope run: first an escalation event subprocess of the level, then an
 * escalation boundary event on the activity hosting the level (a subProcess, a multi-instance
 * activity), then the level around that. An interrupting catcher cancels what it catches for
 * (the level, or the activity), so the thrower goes no further; a non-interrupting one starts
 * beside it. Nobody catching an escalation is not an error (BPMN): it is only logged.
 * Escalations of an event subprocess skip the level it belongs to, as its errors do.
 */
export function escalate(
  ctx: NodeContext,
  token: LiveToken,
  nodeId: string,
  code: string,
): Escalated {
  const { state, tokens } = ctx;
  let run = token.run;
  let skipLevel = false;
  for (;;) {
    const taken = skipLevel ? undefined : run.events?.catchEscalation(code);
    if (taken) return logged(true, `by an event subprocess of ${run.id}`, taken === 'interrupting');
    const host = run.host;
    if (!host) break;
    const fire = host.boundary;
    const catcher = fire ? escalationBoundaryOf(ctx, host.nodeId, code) : undefined;
    if (fire && catcher) {
      fire(catcher);
      return logged(true, `by ${catcher.id}`, catcher.interrupting);
    }
    skipLevel = tokens.isEventSubProcess(host.nodeId);
    run = host.run;
  }
  // Not caught here: the instance that called this one (if any) gets it, through its call
  // activity.
  const passed = ctx.port.escalateToParent({ code, nodeId });
  if (passed) {
    state.log('escalated', nodeId, {
      detail: `${code} not caught, passed to the calling instance`,
    });
    return { interrupting: false, passed };
  }
  return logged(false, 'not caught', false);

  function logged(caught: boolean, how: string, interrupting: boolean): Escalated {
    state.log('escalated', nodeId, { detail: `${code} ${caught ? `caught ${how}` : how}` });
    return { interrupting };
  }
}

/**
 * An escalation the instance a call activity runs passed up: the call activity's escalation
 * boundary (interrupting: the child is cancelled; non-interrupting: the boundary path starts beside
 * it), else what {@link escalate} finds from the call activity outwards.
 */
export function escalateFromChild(
  ctx: NodeContext,
  token: LiveToken,
  escalation: ChildEscalation,
): Escalated {
  const { code } = escalation;
  const catcher = escalationBoundaryOf(ctx, token.nodeId, code);
  if (catcher && token.boundary) {
    token.boundary(catcher);
    ctx.state.log('escalated', token.nodeId, {
      detail: `${code} from the called instance caught by ${catcher.id}`,
    });
    return { interrupting: catcher.interrupting };
  }
  return escalate(ctx, token, token.nodeId, code);
}

/** The first escalation boundary event of activity `nodeId` that catches `code`, if any. */
function escalationBoundaryOf(ctx: NodeContext, nodeId: string, code: string) {
  const node = ctx.state.plan.nodes[nodeId];
  const boundaries = node && 'boundaryEvents' in node ? node.boundaryEvents : [];
  return boundaries.find(
    (b) => b.trigger.type === 'escalation' && errorCodeMatches(b.trigger.escalationCode, code),
  );
}
