import type { Position } from '../model/process-definition.js';
import { children, child, type ModdleElement } from './moddle.js';

export interface Bounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Default sizes (bpmn-js's) for nodes without a size. */
export function defaultSize(type: string): { width: number; height: number } {
  if (type.endsWith('Event')) return { width: 36, height: 36 };
  if (type.endsWith('Gateway')) return { width: 50, height: 50 };
  if (type === 'subProcess') return { width: 350, height: 200 };
  if (type === 'textAnnotation') return { width: 100, height: 30 };
  return { width: 100, height: 80 };
}

/** Rounds coordinates so that relative ↔ absolute conversions round-trip exactly. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** BPMN DI shapes and edges by the id of the element they draw (first diagram wins). */
export interface DiagramIndex {
  readonly shapes: ReadonlyMap<string, { bounds: Bounds; isExpanded?: boolean; planeOf: string }>;
  readonly waypoints: ReadonlyMap<string, Position[]>;
}

export function indexDiagrams(definitions: ModdleElement): DiagramIndex {
  const shapes = new Map<string, { bounds: Bounds; isExpanded?: boolean; planeOf: string }>();
  const waypoints = new Map<string, Position[]>();
  for (const diagram of children(definitions, 'diagrams')) {
    const plane = child(diagram, 'plane');
    const planeOf = child(plane, 'bpmnElement')?.id;
    for (const el of children(plane, 'planeElement')) {
      const target = child(el, 'bpmnElement');
      const id = typeof target?.id === 'string' ? target.id : undefined;
      if (id === undefined) continue;
      if (el.$type === 'bpmndi:BPMNShape') {
        const b = child(el, 'bounds');
        if (!b || shapes.has(id)) continue;
        const bounds = {
          x: num(b.x),
          y: num(b.y),
          width: num(b.width),
          height: num(b.height),
        };
        const expanded = el.isExpanded;
        shapes.set(id, {
          bounds,
          planeOf: typeof planeOf === 'string' ? planeOf : '',
          ...(typeof expanded === 'boolean' ? { isExpanded: expanded } : {}),
        });
      } else if (el.$type === 'bpmndi:BPMNEdge' && !waypoints.has(id)) {
        waypoints.set(
          id,
          children(el, 'waypoint').map((p) => ({ x: round(num(p.x)), y: round(num(p.y)) })),
        );
      }
    }
  }
  return { shapes, waypoints };
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
