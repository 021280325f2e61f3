import type { ProcessDefinition, ProcessEdge, ProcessNode } from '@ameide/process-definition';
import type { EditResult } from './edit-types.js';
import { assignLanes, nextId } from './edit-definition.js';
import { idPrefix } from './node-kinds.js';

/** What copy puts on the clipboard: nodes (with their children and boundary events) and the flows between them. */
export interface ClipboardContent {
  readonly nodes: readonly ProcessNode[];
  readonly edges: readonly ProcessEdge[];
}

/** Copies the selected nodes plus their sub-process children, boundary events and inner flows. */
export function copyElements(
  definition: ProcessDefinition,
  nodeIds: readonly string[],
): ClipboardContent {
  const picked = new Set(nodeIds);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of definition.nodes) {
      if (picked.has(n.id)) continue;
      const attached = n.type === 'boundaryEvent' ? n.data.attachedTo : undefined;
      if (
        (n.parentId !== undefined && picked.has(n.parentId)) ||
        (attached !== undefined && picked.has(attached))
      ) {
        picked.add(n.id);
        grew = true;
      }
    }
  }
  return {
    nodes: definition.nodes.filter((n) => picked.has(n.id)),
    edges: definition.edges.filter((e) => picked.has(e.source) && picked.has(e.target)),
  };
}

/**
 * Pastes clipboard content with fresh ids, shifted by `offset`. References inside the pasted
 * set (parents, attachments, flows) follow the new ids; a parent that was not copied is dropped
 * (the node lands on the top level at its absolute position is not known here, so it keeps its
 * relative position: paste copies from the same level).
 */
export function pasteElements(
  definition: ProcessDefinition,
  content: ClipboardContent,
  offset: { x: number; y: number } = { x: 40, y: 40 },
): EditResult {
  if (content.nodes.length === 0) return { ok: false, message: 'the clipboard is empty' };
  const rename = new Map<string, string>();
  const taken = new Set<string>();
  for (const n of content.nodes) {
    const id = nextId(definition, idPrefix(n.type), taken);
    taken.add(id);
    rename.set(n.id, id);
  }
  const nodes = content.nodes.map((n): ProcessNode => {
    const parentKept = n.parentId !== undefined && rename.has(n.parentId);
    const shifted = parentKept
      ? n.position
      : { x: n.position.x + offset.x, y: n.position.y + offset.y };
    const data =
      n.type === 'boundaryEvent'
        ? { ...n.data, attachedTo: rename.get(n.data.attachedTo) ?? n.data.attachedTo }
        : n.data;
    const base = { ...n, id: rename.get(n.id)!, position: shifted, data } as ProcessNode;
    if (parentKept) return { ...base, parentId: rename.get(n.parentId!)! };
    return base;
  });
  const edges = content.edges.map((e): ProcessEdge => {
    const id = nextId(definition, 'Flow', taken);
    taken.add(id);
    const { waypoints: _w, ...data } = e.data;
    return { ...e, id, source: rename.get(e.source)!, target: rename.get(e.target)!, data };
  });
  return {
    ok: true,
    definition: assignLanes({
      ...definition,
      nodes: [...definition.nodes, ...nodes],
      edges: [...definition.edges, ...edges],
    }),
    ids: [...nodes.map((n) => n.id), ...edges.map((e) => e.id)],
  };
}
