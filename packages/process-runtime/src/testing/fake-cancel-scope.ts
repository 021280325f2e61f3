import type { AsyncLocalStorage } from 'node:async_hooks';
import type { CancelScope } from '../workflow/engine/workflow-port.js';

/** What a cancelled fake wait, activity or child rejects with. */
export class FakeCancelled extends Error {
  override readonly name = 'CancelledFailure';
}

/**
 * A cancellation scope with Temporal's rules: created in the current scope (async context), it
 * is cancelled with it; a non-cancellable scope takes the request but shields its waits and
 * children; a wait started in a cancelled scope fails at once.
 */
export class FakeScope implements CancelScope {
  readonly children = new Set<FakeScope>();
  readonly waits = new Set<(err: FakeCancelled) => void>();
  requested = false;

  constructor(
    readonly storage: AsyncLocalStorage<FakeScope>,
    readonly parent: FakeScope | undefined,
    readonly cancellable = true,
  ) {
    parent?.children.add(this);
    if (parent?.cancelled && cancellable) this.requested = true;
  }

  get cancelled(): boolean {
    return this.requested && this.cancellable;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.storage.run(this, fn);
  }

  cancel(): void {
    if (this.requested) return;
    this.requested = true;
    if (!this.cancellable) return;
    for (const reject of [...this.waits]) reject(new FakeCancelled('cancelled'));
    for (const child of this.children) child.cancel();
  }
}
