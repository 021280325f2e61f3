import { memo } from 'react';
import { ViewportPortal } from '@xyflow/react';
import type { CollaborationView, KeptConnection } from '@ameide/process-definition';

function points(c: KeptConnection): string {
  return c.waypoints.map((p) => `${p.x},${p.y}`).join(' ');
}

/**
 * Message flows, associations and text annotations kept from an imported BPMN document, drawn where their BPMN DI
 * puts them (diagram coordinates, inside the viewport). Ameide does not execute them: they are
 * shown, not edited, and written back on export.
 */
function KeptConnectionsView({ view }: { view: CollaborationView }) {
  if (
    view.messageFlows.length === 0 &&
    view.associations.length === 0 &&
    view.annotations.length === 0
  )
    return null;
  return (
    <ViewportPortal>
      <svg
        className="kept-connections"
        width="1"
        height="1"
        style={{
          position: 'absolute',
          left: 0,
          top: 0,
          overflow: 'visible',
          pointerEvents: 'none',
        }}
        aria-label="Message flows and associations (not executed)"
      >
        <defs>
          <marker
            id="ameide-message-start"
            viewBox="0 0 10 10"
            refX="5"
            refY="5"
            markerWidth="9"
            markerHeight="9"
            markerUnits="userSpaceOnUse"
          >
            <circle cx="5" cy="5" r="4" className="message-flow-start" />
          </marker>
          <marker
            id="ameide-message-end"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="11"
            markerHeight="11"
            markerUnits="userSpaceOnUse"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" className="message-flow-end" />
          </marker>
        </defs>
        {view.messageFlows.map((f) => (
          <g key={f.id} data-testid="message-flow" data-id={f.id}>
            <title>{`message flow ${f.name ?? f.id}: ${f.source} → ${f.target}`}</title>
            <polyline
              points={points(f)}
              className="message-flow"
              markerStart="url(#ameide-message-start)"
              markerEnd="url(#ameide-message-end)"
            />
            {f.name !== undefined && (
              <text
                x={f.waypoints[0]!.x + 6}
                y={f.waypoints[0]!.y - 6}
                className="message-flow-label"
              >
                {f.name}
              </text>
            )}
          </g>
        ))}
        {view.annotations.map((a) => (
          <g key={a.id} data-testid="kept-annotation" data-id={a.id}>
            <path
              d={`M ${a.position.x + 12} ${a.position.y} H ${a.position.x} V ${a.position.y + a.height} H ${a.position.x + 12}`}
              className="kept-annotation-bracket"
            />
            <text x={a.position.x + 6} y={a.position.y + 16} className="kept-annotation-text">
              {a.text}
            </text>
          </g>
        ))}
        {view.associations.map((a) => (
          <polyline
            key={a.id}
            data-testid="association"
            data-id={a.id}
            points={points(a)}
            className="association"
          />
        ))}
      </svg>
    </ViewportPortal>
  );
}

export const KeptConnections = memo(KeptConnectionsView);
