import { useCallback, useDeferredValue, useMemo, useReducer } from 'react';
import { hasRpc } from '@ameide/proto';
import {
  lintProcessDefinition,
  type ProcessDefinition,
  type ServiceRegistry,
} from '@ameide/process-definition';
import type { EditResult } from '../model/edit-types.js';
import {
  canRedo,
  canUndo,
  commitEdit,
  createEditHistory,
  redoEdit,
  undoEdit,
  type EditHistory,
} from '../model/edit-history.js';
import { emptySelection, type Selection } from '../model/flow-mapping.js';

/** Bindings are checked against the proto registry the console was built with (the platform's). */
export const protoServiceRegistry: ServiceRegistry = { hasMethod: hasRpc };

interface State {
  readonly history: EditHistory;
  readonly selection: Selection;
  /** Why the last gesture was refused (shown in the status bar). */
  readonly notice?: string | undefined;
}

type Action =
  | { type: 'edit'; result: EditResult; select?: boolean }
  | { type: 'editWith'; edit: (definition: ProcessDefinition) => EditResult; select?: boolean }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'load'; definition: ProcessDefinition }
  | { type: 'select'; selection: Selection | ((previous: Selection) => Selection) }
  | { type: 'notice'; notice?: string };

function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'editWith':
      return reducer(state, {
        type: 'edit',
        result: action.edit(state.history.present),
        ...(action.select !== undefined ? { select: action.select } : {}),
      });
    case 'edit': {
      if (!action.result.ok) return { ...state, notice: action.result.message };
      const history = commitEdit(state.history, action.result.definition);
      const known = new Set([
        ...action.result.definition.nodes.map((n) => n.id),
        ...action.result.definition.lanes.map((l) => l.id),
      ]);
      const edges = new Set(action.result.definition.edges.map((e) => e.id));
      const selection = action.select
        ? {
            nodes: new Set(action.result.ids.filter((id) => known.has(id))),
            edges: new Set(action.result.ids.filter((id) => edges.has(id))),
          }
        : prune(state.selection, known, edges);
      return { history, selection, notice: undefined };
    }
    case 'undo':
    case 'redo': {
      const history = action.type === 'undo' ? undoEdit(state.history) : redoEdit(state.history);
      const d = history.present;
      return {
        history,
        selection: prune(
          state.selection,
          new Set([...d.nodes.map((n) => n.id), ...d.lanes.map((l) => l.id)]),
          new Set(d.edges.map((e) => e.id)),
        ),
        notice: undefined,
      };
    }
    case 'load':
      return { history: createEditHistory(action.definition), selection: emptySelection };
    case 'select':
      return {
        ...state,
        selection:
          typeof action.selection === 'function'
            ? action.selection(state.selection)
            : action.selection,
      };
    case 'notice':
      return { ...state, notice: action.notice };
  }
}

function prune(
  selection: Selection,
  nodes: ReadonlySet<string>,
  edges: ReadonlySet<string>,
): Selection {
  const n = [...selection.nodes].filter((id) => nodes.has(id));
  const e = [...selection.edges].filter((id) => edges.has(id));
  if (n.length === selection.nodes.size && e.length === selection.edges.size) return selection;
  return { nodes: new Set(n), edges: new Set(e) };
}

/**
 * The modeller's state: the definition with undo/redo, the selection, and live lint. Lint runs
 * on a deferred copy of the definition so typing and dragging never wait for it.
 */
export function useProcessEditor(initial: ProcessDefinition) {
  const [state, dispatch] = useReducer(reducer, initial, (d): State => ({
    history: createEditHistory(d),
    selection: emptySelection,
  }));
  const definition = state.history.present;
  const deferred = useDeferredValue(definition);
  const lint = useMemo(() => {
    const started = performance.now();
    const result = lintProcessDefinition(deferred, { services: protoServiceRegistry });
    return { diagnostics: result.diagnostics, ms: performance.now() - started, of: deferred };
  }, [deferred]);

  const apply = useCallback(
    (result: EditResult, select = false) => dispatch({ type: 'edit', result, select }),
    [],
  );
  /**
   * Applies an edit to the definition as it is when the edit runs (not as a callback saw it at
   * its last render): gestures can arrive before React Flow has the latest callbacks.
   */
  const edit = useCallback(
    (fn: (definition: ProcessDefinition) => EditResult, select = false) =>
      dispatch({ type: 'editWith', edit: fn, select }),
    [],
  );
  const undo = useCallback(() => dispatch({ type: 'undo' }), []);
  const redo = useCallback(() => dispatch({ type: 'redo' }), []);
  const load = useCallback((d: ProcessDefinition) => dispatch({ type: 'load', definition: d }), []);
  const select = useCallback(
    (selection: Selection | ((previous: Selection) => Selection)) =>
      dispatch({ type: 'select', selection }),
    [],
  );
  const notify = useCallback(
    (notice?: string) => dispatch({ type: 'notice', ...(notice !== undefined ? { notice } : {}) }),
    [],
  );

  return {
    definition,
    selection: state.selection,
    notice: state.notice,
    diagnostics: lint.diagnostics,
    lintMs: lint.ms,
    lintPending: lint.of !== definition,
    canUndo: canUndo(state.history),
    canRedo: canRedo(state.history),
    apply,
    edit,
    undo,
    redo,
    load,
    select,
    notify,
  };
}

export type ProcessEditor = ReturnType<typeof useProcessEditor>;
