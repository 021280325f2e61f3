import type { ProcessDefinition } from '@ameide/process-definition';

/** Undo/redo over whole definitions (they are immutable, so a step costs one reference). */
export interface EditHistory {
  readonly present: ProcessDefinition;
  readonly past: readonly ProcessDefinition[];
  readonly future: readonly ProcessDefinition[];
}

/** How many steps undo remembers. */
export const HISTORY_LIMIT = 200;

export function createEditHistory(definition: ProcessDefinition): EditHistory {
  return { present: definition, past: [], future: [] };
}

/** Records an edit: the present becomes undoable, the redo stack is dropped. */
export function commitEdit(history: EditHistory, next: ProcessDefinition): EditHistory {
  if (next === history.present) return history;
  const past = [...history.past, history.present];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { present: next, past, future: [] };
}

export function undoEdit(history: EditHistory): EditHistory {
  const previous = history.past.at(-1);
  if (!previous) return history;
  return {
    present: previous,
    past: history.past.slice(0, -1),
    future: [history.present, ...history.future],
  };
}

export function redoEdit(history: EditHistory): EditHistory {
  const next = history.future[0];
  if (!next) return history;
  return {
    present: next,
    past: [...history.past, history.present],
    future: history.future.slice(1),
  };
}

export const canUndo = (h: EditHistory): boolean => h.past.length > 0;
export const canRedo = (h: EditHistory): boolean => h.future.length > 0;
