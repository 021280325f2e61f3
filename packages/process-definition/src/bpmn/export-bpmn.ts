import type { BpmnModdle } from 'bpmn-moddle';
import { edgeScope, orderProcessDefinition } from '../graph/canonical-order.js';
import { ROOT_SCOPE, buildProcessGraph, type ProcessGraph } from '../graph/process-graph.js';
import type { BpmnInterchange, Residual } from '../model/bpmn-interchange.js';
import type {
  Position,
  ProcessDefinition,
  ProcessEdge,
  ProcessNode,
} from '../model/process-definition.js';
import { exportNode, type RootRefs } from './export-node.js';
import { defaultSize, round, type Bounds } from './layout.js';
import { createModdle, type ModdleElement } from './moddle.js';
import { applyResiduals } from './residual.js';

const CONDITIONAL_DEFAULT_HOLDERS: ReadonlySet<string> = new Set([
  'exclusiveGateway',
  'inclusiveGateway',
]);

/**
 * Several ProcessDefinitions written as one BPMN document (one process each, their pools in one
 * collaboration), with what `importBpmnCollaboration` kept of the document they came from.
 */
export interface BpmnDocument {
  readonly definitions: readonly ProcessDefinition[];
  /** The document-level part kept by `importBpmnCollaboration` (collaboration, diagrams, ...). */
  readonly collaboration?: BpmnInterchange;
}

/**
 * Exports a ProcessDefinition (or several, as one collaboration) as BPMN 2.0 XML with BPMN DI
 * (positions, sizes, waypoints) and `ameide:` extension elements for bindings. What the import
 * kept of the original document (`definition.bpmn`, `collaboration`) is written back on top, so
 * `BPMN → definition → BPMN` keeps every element of the original. Works on definitions that do
 * not lint (so a modeller can save work in progress); `importBpmn` of the result gives back
 * `orderProcessDefinition(definition)`.
 */
export async function exportBpmn(input: ProcessDefinition | BpmnDocument): Promise<string> {
  const document: BpmnDocument = 'definitions' in input ? input : { definitions: [input] };
  if (document.definitions.length === 0)
    throw new TypeError('exportBpmn needs at least one ProcessDefinition');
  const moddle = createModdle();
  const { root, owned } = buildBpmnTree(moddle, document.definitions);
  const residuals: Readonly<Record<string, Residual>>[] = [];
  for (const def of document.definitions) if (def.bpmn) residuals.push(def.bpmn.residuals);
  if (document.collaboration) residuals.push(document.collaboration.residuals);
  if (residuals.length > 0) applyResiduals(moddle, root, owned, residuals);
  const { xml } = await moddle.toXML(root, { format: true });
  return xml;
}

/**
 * The BPMN document of the definitions as a moddle tree, without anything kept from an
 * imported original; `owned` are the ids the definitions own (process, nodes, edges, lanes,
 * pools).
 */
export function buildBpmnTree(
  moddle: BpmnModdle,
  definitions: readonly ProcessDefinition[],
): { root: ModdleElement; owned: Set<string> } {
  const defs = definitions.map(orderProcessDefinition);
  const first = defs[0]!;
  const used = new Set<string>();
  const owned = new Set<string>();
  for (const def of defs) {
    for (const id of [
      def.id,
      ...def.nodes.map((n) => n.id),
      ...def.edges.map((e) => e.id),
      ...def.lanes.map((l) => l.id),
      ...(def.participant ? [def.participant.id] : []),
    ]) {
      used.add(id);
      owned.add(id);
    }
  }
  const uniqueId = (base: string): string => {
    const cleaned = base.replace(/[^A-Za-z0-9_.-]/g, '_');
    let id = cleaned;
    for (let i = 2; used.has(id); i++) id = `${cleaned}_${i}`;
    used.add(id);
    return id;
  };
  // Shared root elements, one per name or code, created when a node first refers to it.
  const messages = new Map<string, ModdleElement>();
  const errors = new Map<string, ModdleElement>();
  const escalations = new Map<string, ModdleElement>();
  const signals = new Map<string, ModdleElement>();
  const rootRef =
    (roots: Map<string, ModdleElement>, create: (key: string) => ModdleElement) =>
    (key: string): ModdleElement => {
      let el = roots.get(key);
      if (!el) {
        el = create(key);
        roots.set(key, el);
      }
      return el;
    };
  const refs: RootRefs = {
    message: rootRef(messages, (name) =>
      moddle.create('bpmn:Message', { id: uniqueId(`Message_${name}`), name }),
    ),
    error: rootRef(errors, (code) =>
      moddle.create('bpmn:Error', { id: uniqueId(`Error_${code}`), name: code, errorCode: code }),
    ),
    escalation: rootRef(escalations, (code) =>
      moddle.create('bpmn:Escalation', {
        id: uniqueId(`Escalation_${code}`),
        name: code,
        escalationCode: code,
      }),
    ),
    signal: rootRef(signals, (name) =>
      moddle.create('bpmn:Signal', { id: uniqueId(`Signal_${name}`), name }),
    ),
  };
  const built = defs.map((def) => {
    const graph = buildProcessGraph(def);
    return { def, graph, ...buildSemantics(moddle, def, graph, refs) };
  });
  const participants = built.flatMap((b) => (b.participant ? [b.participant] : []));
  const collaboration =
    participants.length > 0
      ? moddle.create('bpmn:Collaboration', {
          id: uniqueId(`Collaboration_${first.id}`),
          participants,
        })
      : undefined;
  const plane = moddle.create('bpmndi:BPMNPlane', {
    id: uniqueId(`BPMNPlane_${first.id}`),
    bpmnElement: collaboration ?? built[0]!.process,
    planeElement: built.flatMap((b) => buildDiagram(moddle, b.def, b.graph, b.elements)),
  });
  const root = moddle.create('bpmn:Definitions', {
    id: uniqueId(`Definitions_${first.id}`),
    targetNamespace: 'https://ameide.io/bpmn',
    exporter: 'Ameide',
    exporterVersion: '1',
    rootElements: [
      ...messages.values(),
      ...errors.values(),
      ...escalations.values(),
      ...signals.values(),
      ...(collaboration ? [collaboration] : []),
      ...built.map((b) => b.process),
    ],
    diagrams: [
      moddle.create('bpmndi:BPMNDiagram', { id: uniqueId(`BPMNDiagram_${first.id}`), plane }),
    ],
  });
  return { root, owned };
}

interface Semantics {
  readonly elements: ReadonlyMap<string, ModdleElement>;
  readonly process: ModdleElement;
  readonly participant?: ModdleElement;
}

function buildSemantics(
  moddle: BpmnModdle,
  def: ProcessDefinition,
  graph: ProcessGraph,
  refs: RootRefs,
): Semantics {
  const elements = new Map<string, ModdleElement>();
  for (const n of def.nodes) {
    if (!elements.has(n.id)) elements.set(n.id, exportNode(moddle, n, refs));
  }
  const process = moddle.create('bpmn:Process', { id: def.id, isExecutable: true });
  if (def.name !== undefined) process.name = def.name;
  if (def.documentation !== undefined) {
    process.documentation = [moddle.create('bpmn:Documentation', { text: def.documentation })];
  }
  if (def.variables.length > 0) {
    const variables = def.variables.map((v) =>
      moddle.create('ameide:Variable', {
        name: v.name,
        type: v.type,
        ...(v.required !== undefined ? { required: v.required } : {}),
        ...(v.description !== undefined ? { description: v.description } : {}),
      }),
    );
    process.extensionElements = moddle.create('bpmn:ExtensionElements', {
      values: [moddle.create('ameide:Variables', { variables })],
    });
  }
  const containers = new Map<string, ModdleElement>([[ROOT_SCOPE, process]]);
  for (const [id, el] of elements) if (graph.nodesByScope.has(id)) containers.set(id, el);
  const containerOf = (scope: string): ModdleElement => containers.get(scope) ?? process;

  for (const n of def.nodes) {
    const el = elements.get(n.id)!;
    if (graph.nodeById.get(n.id) !== n) continue; // duplicate id: cannot be written twice
    const container = containerOf(graph.scopeOf.get(n.id) ?? ROOT_SCOPE);
    append(container, n.type === 'textAnnotation' ? 'artifacts' : 'flowElements', el);
    if (n.type === 'boundaryEvent') {
      const host = elements.get(n.data.attachedTo);
      if (host) el.attachedToRef = host;
    }
    if (n.type === 'unsupported' && n.data.attachedTo !== undefined) {
      const host = elements.get(n.data.attachedTo);
      if (host && el.$type === 'bpmn:BoundaryEvent') el.attachedToRef = host;
    }
  }

  const defaultsWritten = new Set<string>();
  for (const e of def.edges) {
    const flow = exportEdge(moddle, e, elements);
    elements.set(e.id, flow);
    const source = graph.nodeById.get(e.source);
    const sourceEl = elements.get(e.source);
    if (e.data.isDefault === true) {
      if (
        source &&
        sourceEl &&
        CONDITIONAL_DEFAULT_HOLDERS.has(source.type) &&
        !defaultsWritten.has(source.id)
      ) {
        sourceEl.default = flow;
        defaultsWritten.add(source.id);
      } else {
        flow.isDefault = true;
      }
    }
    if (sourceEl && source?.type !== 'textAnnotation') append(sourceEl, 'outgoing', flow);
    const targetEl = elements.get(e.target);
    if (targetEl && graph.nodeById.get(e.target)?.type !== 'textAnnotation')
      append(targetEl, 'incoming', flow);
    append(containerOf(edgeScope(e, graph.scopeOf)), 'flowElements', flow);
  }

  if (def.lanes.length > 0) {
    const lanes = def.lanes.map((l) => {
      const lane = moddle.create('bpmn:Lane', { id: l.id });
      if (l.name !== undefined) lane.name = l.name;
      lane.flowNodeRef = l.nodeIds.map((id) => elements.get(id)).filter((x) => x !== undefined);
      elements.set(l.id, lane);
      return lane;
    });
    process.laneSets = [moddle.create('bpmn:LaneSet', { id: `LaneSet_${def.id}`, lanes })];
  }

  let participant: ModdleElement | undefined;
  if (def.participant) {
    participant = moddle.create('bpmn:Participant', {
      id: def.participant.id,
      processRef: process,
    });
    if (def.participant.name !== undefined) participant.name = def.participant.name;
    elements.set(def.participant.id, participant);
  }
  return { elements, process, ...(participant ? { participant } : {}) };
}

function exportEdge(
  moddle: BpmnModdle,
  e: ProcessEdge,
  elements: ReadonlyMap<string, ModdleElement>,
): ModdleElement {
  const flow = moddle.create('bpmn:SequenceFlow', { id: e.id });
  const source = elements.get(e.source);
  const target = elements.get(e.target);
  if (source) flow.sourceRef = source;
  if (target) flow.targetRef = target;
  if (e.data.name !== undefined) flow.name = e.data.name;
  if (e.data.condition !== undefined) {
    flow.conditionExpression = moddle.create('bpmn:FormalExpression', { body: e.data.condition });
  }
  return flow;
}

function buildDiagram(
  moddle: BpmnModdle,
  def: ProcessDefinition,
  graph: ProcessGraph,
  elements: ReadonlyMap<string, ModdleElement>,
): ModdleElement[] {
  const out: ModdleElement[] = [];
  const absolute = absoluteBounds(def, graph);
  const bounds = (b: Bounds): ModdleElement => moddle.create('dc:Bounds', { ...b });
  if (def.participant) {
    const p = def.participant;
    out.push(
      moddle.create('bpmndi:BPMNShape', {
        id: `${p.id}_di`,
        bpmnElement: elements.get(p.id),
        isHorizontal: true,
        bounds: bounds({ ...p.position, width: p.width, height: p.height }),
      }),
    );
  }
  for (const l of def.lanes) {
    out.push(
      moddle.create('bpmndi:BPMNShape', {
        id: `${l.id}_di`,
        bpmnElement: elements.get(l.id),
        isHorizontal: true,
        bounds: bounds({ ...l.position, width: l.width, height: l.height }),
      }),
    );
  }
  for (const n of def.nodes) {
    if (graph.nodeById.get(n.id) !== n) continue;
    const shape = moddle.create('bpmndi:BPMNShape', {
      id: `${n.id}_di`,
      bpmnElement: elements.get(n.id),
      bounds: bounds(absolute.get(n.id)!),
    });
    if (n.type === 'subProcess') shape.isExpanded = true;
    out.push(shape);
  }
  for (const e of def.edges) {
    const points =
      e.data.waypoints ?? defaultWaypoints(absolute.get(e.source), absolute.get(e.target));
    if (points.length < 2) continue;
    out.push(
      moddle.create('bpmndi:BPMNEdge', {
        id: `${e.id}_di`,
        bpmnElement: elements.get(e.id),
        waypoint: points.map((p) => moddle.create('dc:Point', { x: p.x, y: p.y })),
      }),
    );
  }
  return out;
}

/** Absolute diagram bounds of every node (positions are relative to the parent). */
function absoluteBounds(def: ProcessDefinition, graph: ProcessGraph): Map<string, Bounds> {
  const result = new Map<string, Bounds>();
  const originOf = (n: ProcessNode): Position => {
    // Iterative walk up the parents (scopeOf is acyclic).
    let x = 0;
    let y = 0;
    let scope = graph.scopeOf.get(n.id) ?? ROOT_SCOPE;
    while (scope !== ROOT_SCOPE) {
      const parent = graph.nodeById.get(scope);
      if (!parent) break;
      x += parent.position.x;
      y += parent.position.y;
      scope = graph.scopeOf.get(parent.id) ?? ROOT_SCOPE;
    }
    return { x, y };
  };
  for (const n of def.nodes) {
    if (result.has(n.id)) continue;
    const origin = originOf(n);
    const size =
      n.width !== undefined && n.height !== undefined
        ? { width: n.width, height: n.height }
        : defaultSize(n.type);
    result.set(n.id, {
      x: round(origin.x + n.position.x),
      y: round(origin.y + n.position.y),
      width: n.width ?? size.width,
      height: n.height ?? size.height,
    });
  }
  return result;
}

function defaultWaypoints(from: Bounds | undefined, to: Bounds | undefined): Position[] {
  if (!from || !to) return [];
  return [
    { x: round(from.x + from.width), y: round(from.y + from.height / 2) },
    { x: round(to.x), y: round(to.y + to.height / 2) },
  ];
}

function append(element: ModdleElement, property: string, value: ModdleElement): void {
  const list = element.get(property);
  if (Array.isArray(list)) list.push(value);
  else element.set(property, [value]);
}
