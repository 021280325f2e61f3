import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type Node,
  type NodeChange,
} from '@xyflow/react';
import { collaborationView, type ProcessDefinition } from '@ameide/process-definition';
import {
  addLane,
  addNode,
  connect,
  deleteElements,
  moveNodes,
  updateLane,
} from '../model/edit-definition.js';
import type { EditResult } from '../model/edit-types.js';
import {
  createFlowMapper,
  diagnosticsByElement,
  movesFromFlow,
  type FlowNode,
  type RunStatus,
} from '../model/flow-mapping.js';
import { defaultSize, paletteItem } from '../model/node-kinds.js';
import { nodeIndex } from '../model/geometry.js';
import { nodeTypes } from './bpmn-nodes.js';
import { ArrowDefs, edgeTypes } from './sequence-edge.js';
import { KeptConnections } from './kept-connections.js';
import { EditorActionsContext, type EditorActions } from './editor-actions.js';
import { markRendered, markStart } from './perf-marks.js';
import type { ProcessEditor } from './use-process-editor.js';

export const PALETTE_MIME = 'application/x-ameide-node';
export const GRID = 10;

const snap = (v: number) => Math.round(v / GRID) * GRID;

/** Moves from a drag, applied as one edit (nodes and lanes together). */
function dragEdit(definition: ProcessDefinition, dragged: readonly Node[]): EditResult {
  const moves = movesFromFlow(dragged);
  let d = definition;
  const ids: string[] = [];
  if (moves.nodes.length > 0) {
    const r = moveNodes(d, moves.nodes);
    if (!r.ok) return r;
    d = r.definition;
    ids.push(...r.ids);
  }
  for (const lane of moves.lanes) {
    const r = updateLane(d, lane.id, { position: lane.position });
    if (!r.ok) return r;
    d = r.definition;
    ids.push(lane.id);
  }
  return { ok: true, definition: d, ids };
}

export interface FocusRequest {
  readonly id: string;
  readonly seq: number;
}

/**
 * The diagram: React Flow with BPMN node and edge types, controlled by the editing model.
 * Node positions are local state only while dragging; the drop commits one undoable move.
 */
export function ProcessCanvas({
  editor,
  readOnly,
  focus,
  fitSeq,
  runStatus,
}: {
  editor: ProcessEditor;
  readOnly: boolean;
  focus?: FocusRequest | undefined;
  fitSeq: number;
  /** Instance view: completed/active/failed nodes. */
  runStatus?: ReadonlyMap<string, RunStatus> | undefined;
}) {
  const { definition, selection, edit } = editor;
  const mapper = useMemo(() => createFlowMapper(), []);
  const diagnostics = useMemo(() => diagnosticsByElement(editor.diagnostics), [editor.diagnostics]);
  const mapped = useMemo(
    () => mapper.toFlow(definition, diagnostics, selection, readOnly, runStatus),
    [mapper, definition, diagnostics, selection, readOnly, runStatus],
  );
  // Pools, message flows and associations the import kept (drawn, not executed).
  const kept = useMemo(
    () => collaborationView({ bpmn: definition.bpmn, participant: definition.participant }),
    // Recomputed when the kept part or the pool changes, not on every edit.
    [definition.bpmn, definition.participant],
  );
  const [nodes, setNodes] = useState<FlowNode[]>(mapped.nodes);
  useEffect(() => {
    setNodes(mapped.nodes);
  }, [mapped.nodes]);
  useEffect(() => {
    if (nodes === mapped.nodes && nodes.length > 0) markRendered();
  }, [nodes, mapped.nodes]);
  const flow = useReactFlow();
  // Fit once when opening a diagram; an empty one keeps zoom 1 so the first drop does not zoom in.
  const [fitOnInit] = useState(() => definition.nodes.length > 0);

  useEffect(() => {
    if (fitSeq === 0) return;
    const handle = requestAnimationFrame(() => void flow.fitView({ padding: 0.1, maxZoom: 1 }));
    return () => cancelAnimationFrame(handle);
  }, [fitSeq, flow]);

  useEffect(() => {
    if (!focus) return;
    const n = flow.getInternalNode(focus.id);
    if (n) {
      const w = n.measured.width ?? n.width ?? 0;
      const h = n.measured.height ?? n.height ?? 0;
      void flow.setCenter(
        n.internals.positionAbsolute.x + w / 2,
        n.internals.positionAbsolute.y + h / 2,
        { zoom: Math.max(flow.getZoom(), 1), duration: 200 },
      );
      return;
    }
    const e = definition.edges.find((x) => x.id === focus.id);
    const s = e && flow.getInternalNode(e.source);
    if (s)
      void flow.setCenter(s.internals.positionAbsolute.x, s.internals.positionAbsolute.y, {
        zoom: Math.max(flow.getZoom(), 1),
        duration: 200,
      });
  }, [focus, flow, definition.edges]);

  const { select } = editor;
  // React Flow reports node and edge selection changes in separate callbacks: apply each to the
  // latest selection (a functional update), or one would overwrite the other.
  const updateSelection = useCallback(
    (
      nodeChanges: readonly { id: string; selected: boolean }[],
      edgeChanges: readonly { id: string; selected: boolean }[],
    ) =>
      select((previous) => {
        const nodes = new Set(previous.nodes);
        const edges = new Set(previous.edges);
        for (const c of nodeChanges) {
          if (c.selected) nodes.add(c.id);
          else nodes.delete(c.id);
        }
        for (const c of edgeChanges) {
          if (c.selected) edges.add(c.id);
          else edges.delete(c.id);
        }
        return { nodes, edges };
      }),
    [select],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const selects = changes.flatMap((c) =>
        c.type === 'select' ? [{ id: c.id, selected: c.selected }] : [],
      );
      if (selects.length > 0) updateSelection(selects, []);
      const local = changes.filter((c) => c.type === 'position' || c.type === 'dimensions');
      if (local.length > 0) setNodes((ns) => applyNodeChanges(local, ns));
    },
    [updateSelection],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const selects = changes.flatMap((c) =>
        c.type === 'select' ? [{ id: c.id, selected: c.selected }] : [],
      );
      if (selects.length > 0) updateSelection([], selects);
    },
    [updateSelection],
  );

  const onConnect = useCallback(
    (c: Connection) => edit((d) => connect(d, c.source, c.target), true),
    [edit],
  );
  const onDelete = useCallback(
    ({ nodes: ns, edges: es }: { nodes: Node[]; edges: { id: string }[] }) =>
      edit((d) =>
        deleteElements(
          d,
          ns.map((n) => n.id),
          es.map((e) => e.id),
        ),
      ),
    [edit],
  );
  const onNodeDragStop = useCallback(
    (_e: unknown, _n: Node, dragged: Node[]) => {
      markStart('drag-commit');
      edit((d) => dragEdit(d, dragged));
    },
    [edit],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      if (readOnly) return;
      const key = e.dataTransfer.getData(PALETTE_MIME);
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      if (key === 'lane') {
        edit((d) => addLane(d, { x: snap(p.x - 30), y: snap(p.y - 20) }, 'Lane'), true);
        return;
      }
      const item = paletteItem(key);
      if (!item) return;
      const size = defaultSize(item.type);
      const position = { x: snap(p.x - size.width / 2), y: snap(p.y - size.height / 2) };
      edit((d) => addNode(d, { type: item.type, data: item.data(), position }), true);
    },
    [edit, flow, readOnly],
  );

  const actions = useMemo<EditorActions>(
    () => ({
      readOnly,
      resizeNode: (id, size) =>
        edit((d): EditResult => {
          const position = { x: size.x, y: size.y };
          if (d.lanes.some((l) => l.id === id))
            return updateLane(d, id, { width: size.width, height: size.height, position });
          if (!nodeIndex(d).has(id)) return { ok: false, message: `unknown node ${id}` };
          const nodes = d.nodes.map((n) =>
            n.id === id ? { ...n, width: size.width, height: size.height, position } : n,
          );
          return { ok: true, definition: { ...d, nodes }, ids: [id] };
        }),
    }),
    [edit, readOnly],
  );

  return (
    <EditorActionsContext.Provider value={actions}>
      <div
        className="canvas"
        onDragOver={(e) => e.preventDefault()}
        onDrop={onDrop}
        data-testid="canvas"
      >
        <ArrowDefs />
        <ReactFlow
          nodes={nodes}
          edges={mapped.edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onDelete={onDelete}
          onNodeDragStop={onNodeDragStop}
          connectionMode={ConnectionMode.Loose}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          edgesFocusable
          elementsSelectable
          deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
          multiSelectionKeyCode={['Meta', 'Control']}
          selectionKeyCode="Shift"
          snapToGrid
          snapGrid={[GRID, GRID]}
          fitView={fitOnInit}
          fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
          minZoom={0.05}
          maxZoom={3}
          onlyRenderVisibleElements={definition.nodes.length > 200}
          proOptions={{ hideAttribution: true }}
          aria-label="Process diagram"
        >
          <Background variant={BackgroundVariant.Dots} gap={GRID * 2} />
          <KeptConnections view={kept} />
          <MiniMap
            pannable
            zoomable
            ariaLabel="Mini map"
            nodeStrokeWidth={2}
            nodeClassName={(n) => `minimap-${n.type ?? ''}`}
          />
          <Controls aria-label="Zoom controls" showInteractive={false} />
        </ReactFlow>
      </div>
    </EditorActionsContext.Provider>
  );
}
