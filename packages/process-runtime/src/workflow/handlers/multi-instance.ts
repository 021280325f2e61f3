import type { PlanMultiInstance, PlanNode } from '@ameide/process-definition/plan';
import { ProcessIncident } from '../bpmn-errors.js';
import type { LiveToken, NodeContext } from '../engine/token-engine.js';
import type { CancelScope } from '../engine/workflow-port.js';
import { evaluateCondition, evaluateFeel, feelAt } from '../feel.js';
import type { MultiInstanceMemo } from '../types.js';

/** The local variables the loop defines in every instance, besides the input element. */
const LOOP_COUNTER = 'loopCounter';

/**
 * Runs a multi-instance activity: one instance of the activity's body per element of the input
 * collection, each in a scope run of its own whose locals hold the element and `loopCounter`
 * (what the body writes stays there). Parallel instances start in input order, at most
 * `maxConcurrency` at once, the next one as soon as one completes; sequential is concurrency 1.
 *
 * When an instance completes, its `outputElement` goes to its slot of the output collection and
 * the completion condition is checked; once it holds, the instances still running are cancelled
 * and the activity completes. A failing instance (a BPMN error, an incident) cancels the others
 * and fails the activity, so its boundary events see the error.
 *
 * Continue-as-new: progress lives in the token's memo. When the port suggests a new run and the
 * activity runs in the process scope, no further instance starts; once the running ones are done
 * the token parks (`waitingFor: 'multiInstance'`) so the instance rolls over with the memo and
 * the next run starts the remaining instances.
 *
 * Determinism: instances start in a fixed order and each completion is a history event, so the
 * order in which completions are seen (and thus the completion condition's answers) replays.
 */
export async function multiInstance(
  ctx: NodeContext,
  node: PlanNode,
  mi: PlanMultiInstance,
  token: LiveToken,
): Promise<void> {
  const { state, port, tokens } = ctx;
  const memo = (token.memo.multiInstance ??= start(ctx, node, mi, token));
  const total = memo.items.length;
  const running = new Map<number, { scope: CancelScope; done: Promise<void> }>();
  let failure: unknown;
  let stopped = false;

  const conditionHolds = (locals: Record<string, unknown>): boolean =>
    mi.completionCondition !== undefined &&
    feelAt(node.id, () =>
      evaluateCondition(mi.completionCondition!, {
        ...tokens.variablesOf(token.run),
        ...locals,
        ...(mi.outputCollection !== undefined ? { [mi.outputCollection]: memo.outputs } : {}),
        numberOfInstances: total,
        numberOfCompletedInstances: memo.completed,
        numberOfActiveInstances: running.size,
      }),
    );

  const stopAll = (): void => {
    for (const r of running.values()) r.scope.cancel();
  };

  const launch = (index: number): void => {
    const locals: Record<string, unknown> = { [LOOP_COUNTER]: index + 1 };
    if (mi.inputElement !== undefined) locals[mi.inputElement] = memo.items[index];
    const scope = port.scope();
    const id = `${token.run.id}/${node.id}#${state.nextSeq()}`;
    const done = scope
      .run(() =>
        tokens.runScope(
          id,
          [{ id: `t${state.nextSeq()}`, nodeId: node.id, memo: {} }],
          {},
          {
            parent: token.run,
            locals,
            loopOf: node.id,
            host: token,
          },
        ),
      )
      .then(
        () => {
          running.delete(index);
          memo.completed++;
          if (memo.outputs) memo.outputs[index] = outputOf(ctx, node, mi, token, locals);
          if (!stopped && failure === undefined && conditionHolds(locals)) {
            stopped = true;
            state.log('completionConditionMet', node.id, {
              detail: `after ${memo.completed} of ${total} instances`,
            });
            stopAll();
          }
        },
        (err: unknown) => {
          running.delete(index);
          // Instances cancelled because the condition held (or another one failed) end quietly.
          if ((stopped || failure !== undefined) && port.isCancellation(err)) return;
          if (failure === undefined) {
            failure = err;
            stopAll();
          }
        },
      );
    running.set(index, { scope, done });
  };

  const parkForNewRun = (): boolean => token.run.id === 'root' && port.continueAsNewSuggested();

  token.waitingFor = 'child';
  try {
    for (;;) {
      if (failure !== undefined || stopped) {
        if (running.size === 0) break;
      } else if (memo.next < total && !parkForNewRun()) {
        while (memo.next < total && running.size < mi.maxConcurrency) launch(memo.next++);
      } else if (running.size === 0) {
        if (memo.next >= total) break;
        // Between instances, with more to start: let the instance continue as new.
        token.waitingFor = 'multiInstance';
        await port.condition(() => !port.continueAsNewSuggested());
        token.waitingFor = 'child';
        continue;
      }
      await Promise.race([...running.values()].map((r) => r.done));
    }
  } finally {
    token.waitingFor = undefined;
  }
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the instance threw, as it was
  if (failure !== undefined) throw failure;
  if (mi.outputCollection !== undefined)
    tokens.write(token.run, { [mi.outputCollection]: memo.outputs });
  delete token.memo.multiInstance;
}

/** Evaluates the input collection once, when the activity starts. */
function start(
  ctx: NodeContext,
  node: PlanNode,
  mi: PlanMultiInstance,
  token: LiveToken,
): MultiInstanceMemo {
  const items = feelAt(node.id, () =>
    evaluateFeel(mi.inputCollection, ctx.tokens.variablesOf(token.run)),
  );
  if (!Array.isArray(items))
    throw new ProcessIncident(
      node.id,
      `the input collection '${mi.inputCollection.feel}' of ${node.id} gave ${items === null ? 'null' : typeof items}, not a list`,
    );
  ctx.state.log('instancesStarted', node.id, {
    detail: `${items.length} instance${items.length === 1 ? '' : 's'}${mi.sequential ? ', sequential' : `, at most ${mi.maxConcurrency} at once`}`,
  });
  return {
    items,
    next: 0,
    completed: 0,
    ...(mi.outputCollection !== undefined ? { outputs: items.map(() => null) } : {}),
  };
}

/** An instance's entry of the output collection: `outputElement`, else what it wrote. */
function outputOf(
  ctx: NodeContext,
  node: PlanNode,
  mi: PlanMultiInstance,
  token: LiveToken,
  locals: Record<string, unknown>,
): unknown {
  if (mi.outputElement !== undefined)
    return feelAt(node.id, () =>
      evaluateFeel(mi.outputElement!, { ...ctx.tokens.variablesOf(token.run), ...locals }),
    );
  const own = { ...locals };
  delete own[LOOP_COUNTER];
  if (mi.inputElement !== undefined) delete own[mi.inputElement];
  return own;
}
