import type { Position, ProcessDefinition, ProcessNode } from '@ameide/process-definition';
import { defaultSize } from './node-kinds.js';

/** An axis-aligned rectangle in absolute diagram coordinates. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export function sizeOf(node: ProcessNode): { width: number; height: number } {
  const d = defaultSize(node.type);
  return { width: node.width ?? d.width, height: node.height ?? d.height };
}

/** Index of nodes by id (definitions are small enough to rebuild it per operation). */
export function nodeIndex(definition: ProcessDefinition): Map<string, ProcessNode> {
  return new Map(definition.nodes.map((n) => [n.id, n]));
}

/** Absolute position of a node: positions of sub-process children are relative to their parent. */
export function absolutePosition(
  index: ReadonlyMap<string, ProcessNode>,
  node: ProcessNode,
): Position {
  let x = node.position.x;
  let y = node.position.y;
  let parentId = node.parentId;
  const seen = new Set<string>();
  while (parentId !== undefined && !seen.has(parentId)) {
    seen.add(parentId);
    const parent = index.get(parentId);
    if (!parent) break;
    x += parent.position.x;
    y += parent.position.y;
    parentId = parent.parentId;
  }
  return { x, y };
}

export function absoluteRect(index: ReadonlyMap<string, ProcessNode>, node: ProcessNode): Rect {
  return { ...absolutePosition(index, node), ...sizeOf(node) };
}

export function contains(rect: Rect, p: Position): boolean {
  return (
    p.x >= rect.x && p.x <= rect.x + rect.width && p.y >= rect.y && p.y <= rect.y + rect.height
  );
}

export function center(rect: Rect): Position {
  return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
}

/**
 * Where a boundary event of size `size` sits on `host`'s border, closest to `point`: its centre
 * is on the border (BPMN draws boundary events half inside, half outside the activity).
 */
export function snapToBorder(
  host: Rect,
  point: Position,
  size: { width: number; height: number },
): Position {
  const cx = Math.min(Math.max(point.x, host.x), host.x + host.width);
  const cy = Math.min(Math.max(point.y, host.y), host.y + host.height);
  const distances = [
    { side: 'top', d: Math.abs(cy - host.y) },
    { side: 'bottom', d: Math.abs(cy - (host.y + host.height)) },
    { side: 'left', d: Math.abs(cx - host.x) },
    { side: 'right', d: Math.abs(cx - (host.x + host.width)) },
  ].sort((a, b) => a.d - b.d);
  let px = cx;
  let py = cy;
  switch (distances[0]!.side) {
    case 'top':
      py = host.y;
      break;
    case 'bottom':
      py = host.y + host.height;
      break;
    case 'left':
      px = host.x;
      break;
    default:
      px = host.x + host.width;
  }
  return { x: px - size.width / 2, y: py - size.height / 2 };
}

/** Bounding box of rectangles (undefined for none). */
export function boundingBox(rects: readonly Rect[]): Rect | undefined {
  if (rects.length === 0) return undefined;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const r of rects) {
    minX = Math.min(minX, r.x);
    minY = Math.min(minY, r.y);
    maxX = Math.max(maxX, r.x + r.width);
    maxY = Math.max(maxY, r.y + r.height);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}
