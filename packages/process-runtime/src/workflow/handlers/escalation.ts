import { errorCodeMatches } from '../bpmn-errors.js';
import type { LiveToken, NodeContext } from '../engine/token-engine.js';

/** How a thrown escalation was taken: whether its catcher interrupted the thrower. */
export interface Escalated {
  readonly interrupting: boolean;
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
    const catcher = fire
      ? boundariesOf(ctx, host.nodeId).find(
          (b) =>
            b.trigger.type === 'escalation' && errorCodeMatches(b.trigger.escalationCode, code),
        )
      : undefined;
    if (fire && catcher) {
      fire(catcher);
      return logged(true, `by ${catcher.id}`, catcher.interrupting);
    }
    skipLevel = tokens.isEventSubProcess(host.nodeId);
    run = host.run;
  }
  return logged(false, 'not caught', false);

  function logged(caught: boolean, how: string, interrupting: boolean): Escalated {
    state.log('escalated', nodeId, { detail: `${code} ${caught ? `caught ${how}` : how}` });
    return { interrupting };
  }
}

function boundariesOf(ctx: NodeContext, nodeId: string) {
  const node = ctx.state.plan.nodes[nodeId];
  return node && 'boundaryEvents' in node ? node.boundaryEvents : [];
}
