import type { DragEvent } from 'react';
import { PALETTE, type PaletteItem } from '../model/node-kinds.js';
import { eventMarker, Glyph, GATEWAY_MARKER, TASK_MARKER } from './bpmn-shapes.js';
import { PALETTE_MIME } from './process-canvas.js';
import type { ProcessNode } from '@ameide/process-definition';

function Icon({ item }: { item: PaletteItem }) {
  const node = { type: item.type, data: item.data() } as ProcessNode;
  if (
    item.type === 'exclusiveGateway' ||
    item.type === 'parallelGateway' ||
    item.type === 'inclusiveGateway' ||
    item.type === 'eventBasedGateway'
  ) {
    return (
      <svg width="24" height="24" viewBox="0 0 50 50" aria-hidden="true">
        <polygon points="25,2 48,25 25,48 2,25" className="shape" strokeWidth="2" />
        <g transform="translate(13 13)">
          <Glyph kind={GATEWAY_MARKER[item.type] ?? ''} />
        </g>
      </svg>
    );
  }
  if (
    [
      'startEvent',
      'endEvent',
      'intermediateTimerEvent',
      'intermediateMessageEvent',
      'intermediateThrowEvent',
      'intermediateConditionalEvent',
      'intermediateLinkEvent',
      'intermediateSignalEvent',
      'boundaryEvent',
    ].includes(item.type)
  ) {
    const marker = eventMarker(node);
    return (
      <svg width="24" height="24" viewBox="0 0 36 36" aria-hidden="true">
        <circle
          cx="18"
          cy="18"
          r="16"
          className="shape"
          strokeWidth={item.type === 'endEvent' ? 4 : 2}
        />
        {item.type !== 'startEvent' && item.type !== 'endEvent' && (
          <circle cx="18" cy="18" r="12.5" className="shape-inner" />
        )}
        {marker && (
          <g transform="translate(8 8) scale(0.84)">
            <Glyph kind={marker} />
          </g>
        )}
      </svg>
    );
  }
  if (item.type === 'textAnnotation') {
    return (
      <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M10 3H5v18h5" fill="none" stroke="currentColor" strokeWidth="2" />
      </svg>
    );
  }
  return (
    <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">
      <rect
        x="1.5"
        y="4"
        width="21"
        height="16"
        rx="3"
        className="shape"
        strokeWidth={item.type === 'callActivity' ? 3 : 1.5}
      />
      {TASK_MARKER[item.type] && (
        <g transform="translate(4 6) scale(0.5)">
          <Glyph kind={TASK_MARKER[item.type]!} />
        </g>
      )}
    </svg>
  );
}

/**
 * Every node kind the model supports (plus lanes): drag onto the canvas, or activate with the
 * keyboard to add at the centre of the view.
 */
export function Palette({ onAdd, disabled }: { onAdd: (key: string) => void; disabled: boolean }) {
  const groups = [...new Set(PALETTE.map((p) => p.group))];
  const start = (e: DragEvent, key: string) => {
    e.dataTransfer.setData(PALETTE_MIME, key);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <aside className="palette" aria-label="Palette">
      {groups.map((g) => (
        <section key={g} aria-label={g}>
          <h2>{g}</h2>
          <div className="palette-items">
            {PALETTE.filter((p) => p.group === g).map((p) => (
              <button
                key={p.key}
                type="button"
                className="palette-item"
                draggable={!disabled}
                disabled={disabled}
                onDragStart={(e) => start(e, p.key)}
                onClick={() => onAdd(p.key)}
                aria-label={`Add ${p.label}`}
                title={`${p.label} — drag onto the diagram, or click to add`}
                data-palette={p.key}
              >
                <Icon item={p} />
              </button>
            ))}
          </div>
        </section>
      ))}
      <section aria-label="Swimlanes">
        <h2>Swimlanes</h2>
        <div className="palette-items">
          <button
            type="button"
            className="palette-item"
            draggable={!disabled}
            disabled={disabled}
            onDragStart={(e) => start(e, 'lane')}
            onClick={() => onAdd('lane')}
            aria-label="Add Lane"
            title="Lane — drag onto the diagram"
            data-palette="lane"
          >
            <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">
              <rect x="1" y="5" width="22" height="14" className="shape" strokeWidth="1.5" />
              <path d="M6 5v14" stroke="currentColor" strokeWidth="1.5" />
            </svg>
          </button>
        </div>
      </section>
    </aside>
  );
}
