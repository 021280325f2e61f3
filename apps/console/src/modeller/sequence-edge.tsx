import { memo } from 'react';
import {
  BaseEdge,
  EdgeLabelRenderer,
  getSmoothStepPath,
  Position,
  useInternalNode,
  type EdgeProps,
  type EdgeTypes,
  type InternalNode,
} from '@xyflow/react';
import type { FlowEdge } from '../model/flow-mapping.js';

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function boxOf(n: InternalNode): Box {
  return {
    x: n.internals.positionAbsolute.x,
    y: n.internals.positionAbsolute.y,
    w: n.measured.width ?? n.width ?? 0,
    h: n.measured.height ?? n.height ?? 0,
  };
}

/** The side of `from` facing `to`, and the middle of that side. */
function side(
  from: Box,
  to: { x: number; y: number },
): { x: number; y: number; position: Position } {
  const cx = from.x + from.w / 2;
  const cy = from.y + from.h / 2;
  const dx = to.x - cx;
  const dy = to.y - cy;
  if (Math.abs(dx) * from.h >= Math.abs(dy) * from.w) {
    return dx >= 0
      ? { x: from.x + from.w, y: cy, position: Position.Right }
      : { x: from.x, y: cy, position: Position.Left };
  }
  return dy >= 0
    ? { x: cx, y: from.y + from.h, position: Position.Bottom }
    : { x: cx, y: from.y, position: Position.Top };
}

const centre = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/**
 * A BPMN sequence flow: orthogonal, leaving the side of the source that faces the target (so
 * handles do not pin it), or through the imported BPMN waypoints until a connected node moves.
 * Default flows get the slash marker; conditions and names are labels.
 */
function SequenceEdgeView({ id, source, target, data, selected }: EdgeProps<FlowEdge>) {
  const s = useInternalNode(source);
  const t = useInternalNode(target);
  if (!s || !t || !data) return null;
  const { edge, diagnostics, fromGateway } = data;
  const sb = boxOf(s);
  const tb = boxOf(t);
  const waypoints = edge.data.waypoints;
  let path: string;
  let labelX: number;
  let labelY: number;
  let start: { x: number; y: number };
  let second: { x: number; y: number };
  if (waypoints && waypoints.length >= 2) {
    const pts = waypoints.map((p) => ({ x: p.x, y: p.y }));
    path = `M ${pts.map((p) => `${p.x},${p.y}`).join(' L ')}`;
    const mid = Math.floor((pts.length - 1) / 2);
    labelX = (pts[mid]!.x + pts[mid + 1]!.x) / 2;
    labelY = (pts[mid]!.y + pts[mid + 1]!.y) / 2;
    start = pts[0]!;
    second = pts[1]!;
  } else {
    const a = side(sb, centre(tb));
    const b = side(tb, centre(sb));
    [path, labelX, labelY] = getSmoothStepPath({
      sourceX: a.x,
      sourceY: a.y,
      sourcePosition: a.position,
      targetX: b.x,
      targetY: b.y,
      targetPosition: b.position,
      borderRadius: 6,
      offset: 16,
    });
    start = a;
    const step = 12;
    second =
      a.position === Position.Right
        ? { x: a.x + step, y: a.y }
        : a.position === Position.Left
          ? { x: a.x - step, y: a.y }
          : a.position === Position.Bottom
            ? { x: a.x, y: a.y + step }
            : { x: a.x, y: a.y - step };
  }
  const severity = diagnostics.some((d) => d.severity === 'error')
    ? 'error'
    : diagnostics.length
      ? 'warning'
      : undefined;
  const label = [
    edge.data.name,
    fromGateway && edge.data.condition ? `[${edge.data.condition}]` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  // Default flow: a short slash across the flow near its source.
  const ux = second.x - start.x;
  const uy = second.y - start.y;
  const len = Math.hypot(ux, uy) || 1;
  const px = start.x + (ux / len) * 10;
  const py = start.y + (uy / len) * 10;
  const slash = `M ${px - 5 * (uy / len) - 4 * (ux / len)},${py + 5 * (ux / len) - 4 * (uy / len)} L ${px + 5 * (uy / len) + 4 * (ux / len)},${py - 5 * (ux / len) + 4 * (uy / len)}`;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd="url(#ameide-arrow)"
        className={`sequence-flow${severity ? ` has-${severity}` : ''}${selected ? ' is-selected' : ''}`}
        interactionWidth={14}
      />
      {edge.data.isDefault && <path d={slash} className="default-marker" />}
      {(label || severity) && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${severity ? ` has-${severity}` : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            title={diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n')}
          >
            {severity && <span aria-hidden="true">⚠ </span>}
            {label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const edgeTypes: EdgeTypes = { sequence: memo(SequenceEdgeView) };

/** Arrow head shared by every sequence flow. */
export function ArrowDefs() {
  return (
    <svg width="0" height="0" style={{ position: 'absolute' }} aria-hidden="true">
      <defs>
        <marker
          id="ameide-arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="10"
          markerHeight="10"
          markerUnits="userSpaceOnUse"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke" className="arrow-head" />
        </marker>
      </defs>
    </svg>
  );
}
