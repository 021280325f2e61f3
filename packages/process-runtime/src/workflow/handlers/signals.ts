import type { LiveToken, NodeContext, ScopeRun } from '../engine/token-engine.js';

/**
 * The visibility entry of a signal catcher (`<name>:<key>` like a message subscription): the
 * broadcast lists the tenant's instances by it. Signals have no correlation key.
 */
export const SIGNAL_PREFIX = 'signal:';
export const SIGNAL_KEY = '*';

/** `patched()` id: a catcher maps the payload of the signal that fired it, not the latest one. */
export const SIGNAL_ARRIVALS_PATCH = 'signal-payload-per-arrival';

/**
 * Waits until a signal named `signal` arrives after `seen` (the count when the catcher armed),
 * visible under `subscriber` while it waits, then maps its payload (if it carried one) into the
 * variables of `run`. Signals are not buffered: a catcher sees only those broadcast after it
 * armed.
 */
export async function waitSignal(
  ctx: NodeContext,
  subscriber: string,
  signal: string,
  seen: number,
  run: ScopeRun,
): Promise<void> {
  const { state, port } = ctx;
  state.subscribe(subscriber, `${SIGNAL_PREFIX}${signal}`, SIGNAL_KEY);
  try {
    await port.condition(() => state.signalCount(signal) > seen);
  } finally {
    state.unsubscribe(subscriber);
  }
  // Several signals arrived since the last activation: the first after arming fired this
  // catcher, and its payload is the one mapped (histories recorded before took the latest's).
  const arrived = state.signalCount(signal);
  const payload =
    arrived > seen + 1 && port.patched(SIGNAL_ARRIVALS_PATCH)
      ? state.signalPayload(signal, seen + 1)
      : state.signalPayload(signal);
  // Signals thrown by instances carry none: nothing is written (as before payloads existed).
  if (Object.keys(payload).length > 0) ctx.tokens.write(run, payload);
}

/** An intermediate signal catch event: armed when the token arrives (kept in its memo). */
export async function catchSignal(
  ctx: NodeContext,
  token: LiveToken,
  signal: string,
): Promise<void> {
  const signals = (token.memo.signals ??= {});
  signals[''] ??= ctx.state.signalCount(signal);
  token.waitingFor = 'signal';
  await waitSignal(ctx, token.id, signal, signals[''], token.run);
  token.waitingFor = undefined;
}

/**
 * Throws signal `signal` (from node `nodeId`): the broadcast activity delivers it to the tenant's other
 * instances waiting for it (shielded from cancellation, so an interrupting catcher cannot lose
 * it halfway), then the instance delivers it to its own catchers.
 */
export async function throwSignal(ctx: NodeContext, nodeId: string, signal: string): Promise<void> {
  const { state, port, input } = ctx;
  const others = await port.nonCancellable(() =>
    port.broadcastSignal({
      tenantId: input.actor.tenantId,
      signal,
      fromWorkflowId: port.workflowId(),
    }),
  );
  state.receiveSignal(signal);
  state.log('signalThrown', nodeId, {
    detail: `${signal}: ${others} other instance${others === 1 ? '' : 's'}`,
  });
}
