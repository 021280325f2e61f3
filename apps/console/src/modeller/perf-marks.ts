/**
 * Performance marks the E2E test reads (`performance.getEntriesByName`):
 * `ameide:open` — from asking to open a definition to the first frame showing its nodes;
 * `ameide:drag-commit` — from dropping a dragged node to the frame showing the committed model.
 */
let pending: 'open' | 'drag-commit' | undefined;

export function markStart(what: 'open' | 'drag-commit'): void {
  pending = what;
  performance.mark(`ameide:${what}:start`);
}

/** Called after a render that shows the model: closes the pending measure on the next frame. */
export function markRendered(): void {
  const what = pending;
  if (!what) return;
  pending = undefined;
  requestAnimationFrame(() => {
    performance.mark(`ameide:${what}:end`);
    performance.measure(`ameide:${what}`, `ameide:${what}:start`, `ameide:${what}:end`);
  });
}
