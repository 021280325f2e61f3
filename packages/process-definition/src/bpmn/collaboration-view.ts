import type {
  BpmnInterchange,
  EncodedElement,
  EncodedValue,
  Residual,
} from '../model/bpmn-interchange.js';
import type { Position, ProcessDefinition } from '../model/process-definition.js';

/** A pool the definition does not execute (a black-box participant, or another process's). */
export interface KeptPool {
  readonly id: string;
  readonly name?: string;
  readonly position: Position;
  readonly width: number;
  readonly height: number;
}

/** A message flow or an association kept from the imported document, with its DI waypoints. */
export interface KeptConnection {
  readonly id: string;
  readonly name?: string;
  /** Element ids (a node, a pool, an annotation). */
  readonly source: string;
  readonly target: string;
  readonly waypoints: readonly Position[];
}

/** A text annotation kept from the imported document (of the collaboration or another process). */
export interface KeptAnnotation {
  readonly id: string;
  readonly text: string;
  readonly position: Position;
  readonly width: number;
  readonly height: number;
}

/** What a modeller draws of the kept part of a BPMN document, beside the model itself. */
export interface CollaborationView {
  readonly pools: readonly KeptPool[];
  readonly messageFlows: readonly KeptConnection[];
  readonly associations: readonly KeptConnection[];
  readonly annotations: readonly KeptAnnotation[];
}

/**
 * The pools, message flows, associations and text annotations that the import kept (`definition.bpmn`, and the
 * collaboration record of `importBpmnCollaboration`), with their diagram positions, for a
 * modeller to draw. Pools and connections without BPMN DI are left out; so is the definition's
 * own pool (it is `definition.participant`).
 */
export function collaborationView(
  definition: Pick<ProcessDefinition, 'participant' | 'bpmn'>,
  collaboration?: BpmnInterchange,
): CollaborationView {
  const elements: EncodedElement[] = [];
  const visitValue = (value: EncodedValue | undefined): void => {
    if (Array.isArray(value)) {
      for (const v of value as readonly EncodedValue[]) visitValue(v);
    } else if (typeof value === 'object' && '$type' in value) {
      const el = value as EncodedElement;
      elements.push(el);
      for (const [k, v] of Object.entries(el))
        if (!k.startsWith('$') || k === '$children') visitValue(v);
    }
  };
  const visitResidual = (r: Residual): void => {
    for (const v of Object.values(r.$set ?? {})) visitValue(v);
    for (const list of Object.values(r.$add ?? {})) visitValue(list);
    for (const slots of Object.values(r.$in ?? {}))
      for (const sub of Object.values(slots)) visitResidual(sub);
  };
  for (const source of [definition.bpmn, collaboration]) {
    for (const r of Object.values(source?.residuals ?? {})) visitResidual(r);
  }

  const ref = (el: EncodedElement, property: string): string | undefined => {
    const value = el[property];
    const v: unknown = Array.isArray(value) ? (value as readonly unknown[])[0] : value;
    const id = typeof v === 'object' && v !== null ? (v as { $ref?: unknown }).$ref : undefined;
    return typeof id === 'string' ? id : undefined;
  };
  const text = (el: EncodedElement, property: string): string | undefined => {
    const v = el[property];
    return typeof v === 'string' ? v : undefined;
  };
  const num = (el: EncodedElement | undefined, property: string): number => {
    const v = el?.[property];
    return typeof v === 'number' ? v : 0;
  };
  const shapes = new Map<string, EncodedElement>();
  for (const el of elements) {
    if (el.$type !== 'bpmndi:BPMNShape' && el.$type !== 'bpmndi:BPMNEdge') continue;
    const target = ref(el, 'bpmnElement');
    if (target !== undefined && !shapes.has(target)) shapes.set(target, el);
  }
  const pools: KeptPool[] = [];
  const messageFlows: KeptConnection[] = [];
  const associations: KeptConnection[] = [];
  const annotations: KeptAnnotation[] = [];
  const boundsOf = (di: EncodedElement | undefined): EncodedElement | undefined => {
    const b = di?.bounds;
    return typeof b === 'object' && !Array.isArray(b) ? (b as EncodedElement) : undefined;
  };
  const seen = new Set<string>();
  for (const el of elements) {
    const id = text(el, 'id');
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    const name = text(el, 'name');
    const di = shapes.get(id);
    if (el.$type === 'bpmn:TextAnnotation') {
      const b = boundsOf(di);
      if (!b) continue;
      annotations.push({
        id,
        text: text(el, 'text') ?? '',
        position: { x: num(b, 'x'), y: num(b, 'y') },
        width: num(b, 'width'),
        height: num(b, 'height'),
      });
      continue;
    }
    if (el.$type === 'bpmn:Participant') {
      const b = boundsOf(di);
      if (id === definition.participant?.id || !b) continue;
      pools.push({
        id,
        ...(name !== undefined ? { name } : {}),
        position: { x: num(b, 'x'), y: num(b, 'y') },
        width: num(b, 'width'),
        height: num(b, 'height'),
      });
      continue;
    }
    if (el.$type !== 'bpmn:MessageFlow' && el.$type !== 'bpmn:Association') continue;
    const source = ref(el, 'sourceRef');
    const target = ref(el, 'targetRef');
    const points = Array.isArray(di?.waypoint) ? (di.waypoint as EncodedElement[]) : [];
    if (source === undefined || target === undefined || points.length < 2) continue;
    const connection: KeptConnection = {
      id,
      ...(name !== undefined ? { name } : {}),
      source,
      target,
      waypoints: points.map((p) => ({ x: num(p, 'x'), y: num(p, 'y') })),
    };
    (el.$type === 'bpmn:MessageFlow' ? messageFlows : associations).push(connection);
  }
  return { pools, messageFlows, associations, annotations };
}
