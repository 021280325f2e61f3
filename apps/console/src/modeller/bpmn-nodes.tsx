import { memo } from 'react';
import { Handle, NodeResizer, Position, type NodeProps, type NodeTypes } from '@xyflow/react';
import type { Diagnostic, ProcessNode, ProcessNodeType } from '@ameide/process-definition';
import type {
  FlowNode,
  LaneNodeData,
  PoolNodeData,
  ProcessNodeData,
} from '../model/flow-mapping.js';
import { shapeOf } from '../model/node-kinds.js';
import { eventMarker, Glyph, GATEWAY_MARKER, TASK_MARKER } from './bpmn-shapes.js';
import { useEditorActions } from './editor-actions.js';

function severityOf(diagnostics: readonly Diagnostic[]): 'error' | 'warning' | undefined {
  if (diagnostics.some((d) => d.severity === 'error')) return 'error';
  if (diagnostics.some((d) => d.severity === 'warning')) return 'warning';
  return undefined;
}

/** React Flow draws an edge only between nodes with handles, so read-only nodes keep them (inert). */
function Handles({ connectable }: { connectable: boolean }) {
  const cls = connectable ? undefined : 'inert-handle';
  return (
    <>
      <Handle
        type="source"
        position={Position.Top}
        id="t"
        isConnectable={connectable}
        className={cls}
      />
      <Handle
        type="source"
        position={Position.Right}
        id="r"
        isConnectable={connectable}
        className={cls}
      />
      <Handle
        type="source"
        position={Position.Bottom}
        id="b"
        isConnectable={connectable}
        className={cls}
      />
      <Handle
        type="source"
        position={Position.Left}
        id="l"
        isConnectable={connectable}
        className={cls}
      />
    </>
  );
}

function Badge({ diagnostics }: { diagnostics: readonly Diagnostic[] }) {
  const severity = severityOf(diagnostics);
  if (!severity) return null;
  const title = diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n');
  return (
    <span
      className={`badge badge-${severity}`}
      title={title}
      role="img"
      aria-label={`${diagnostics.length} problem(s): ${title}`}
    >
      {diagnostics.length}
    </span>
  );
}

/** Events, gateways, tasks, sub-processes, annotations and unsupported elements, drawn as BPMN shapes. */
function ProcessNodeView({ data, selected, width, height, id }: NodeProps<FlowNode>) {
  const { node, diagnostics } = data as ProcessNodeData;
  const actions = useEditorActions();
  const readOnly = actions.readOnly;
  const severity = severityOf(diagnostics);
  const eventSub = node.type === 'subProcess' && node.data.triggeredByEvent === true;
  const cls = `bpmn-node bpmn-${shapeOf(node.type)} type-${node.type}${eventSub ? ' event-subprocess' : ''}${severity ? ` has-${severity}` : ''}${selected ? ' is-selected' : ''}`;
  const w = width ?? 100;
  const h = height ?? 80;
  const name = node.type === 'textAnnotation' ? node.data.text : node.data.name;
  const connectable = !readOnly && node.type !== 'textAnnotation';

  switch (shapeOf(node.type)) {
    case 'event': {
      const marker = eventMarker(node);
      const isEnd = node.type === 'endEvent';
      const isIntermediate = node.type !== 'startEvent' && !isEnd;
      const dashed =
        (node.type === 'boundaryEvent' && !node.data.interrupting) ||
        (node.type === 'startEvent' && node.data.interrupting === false);
      return (
        <div className={cls} data-node-id={id}>
          <svg width={w} height={h} viewBox="0 0 36 36" aria-hidden="true">
            <circle
              cx="18"
              cy="18"
              r={isEnd ? 16 : 17}
              className="shape"
              strokeWidth={isEnd ? 3.5 : 1.5}
              strokeDasharray={dashed ? '4 3' : undefined}
            />
            {isIntermediate && (
              <circle
                cx="18"
                cy="18"
                r="14"
                className="shape-inner"
                strokeDasharray={dashed ? '4 3' : undefined}
              />
            )}
            {marker && (
              <g
                transform="translate(8 8) scale(0.84)"
                data-marker={marker}
                className={
                  isEnd || node.type === 'intermediateThrowEvent' ? 'marker filled' : 'marker'
                }
              >
                <Glyph kind={marker} />
              </g>
            )}
          </svg>
          {name && <div className="outside-label">{name}</div>}
          <Badge diagnostics={diagnostics} />
          <Handles connectable={connectable} />
        </div>
      );
    }
    case 'gateway':
      return (
        <div className={cls} data-node-id={id}>
          <svg width={w} height={h} viewBox="0 0 50 50" aria-hidden="true">
            <polygon points="25,1 49,25 25,49 1,25" className="shape" strokeWidth="1.5" />
            <g transform="translate(13 13)" className="marker">
              <Glyph kind={GATEWAY_MARKER[node.type] ?? ''} />
            </g>
          </svg>
          {name && <div className="outside-label">{name}</div>}
          <Badge diagnostics={diagnostics} />
          <Handles connectable={connectable} />
        </div>
      );
    case 'container':
      return (
        <div className={cls} data-node-id={id} style={{ width: w, height: h }}>
          {!readOnly && (
            <NodeResizer
              isVisible={selected ?? false}
              minWidth={160}
              minHeight={100}
              onResizeEnd={(_e, p) =>
                actions.resizeNode(id, {
                  width: Math.round(p.width),
                  height: Math.round(p.height),
                  x: Math.round(p.x),
                  y: Math.round(p.y),
                })
              }
            />
          )}
          <div className="container-label">{name}</div>
          <LoopMarker node={node} />
          <Badge diagnostics={diagnostics} />
          <Handles connectable={connectable} />
        </div>
      );
    case 'annotation':
      return (
        <div className={cls} data-node-id={id} style={{ width: w, minHeight: h }}>
          <div className="annotation-text">{name}</div>
          <Badge diagnostics={diagnostics} />
        </div>
      );
    case 'task': {
      const marker = TASK_MARKER[node.type];
      const unsupported = node.type === 'unsupported' ? node.data.bpmnType : undefined;
      return (
        <div
          className={`${cls}${unsupported ? ' is-unsupported' : ''}`}
          data-node-id={id}
          style={{ width: w, height: h }}
        >
          {marker && (
            <svg
              className="task-marker"
              width="18"
              height="18"
              viewBox="0 0 24 24"
              aria-hidden="true"
            >
              <Glyph kind={marker} />
            </svg>
          )}
          <div className="task-label">{name ?? unsupported ?? ''}</div>
          {unsupported && <div className="hint">{unsupported}</div>}
          {node.type === 'callActivity' && (
            <div className="call-marker" aria-hidden="true">
              ＋
            </div>
          )}
          <LoopMarker node={node} />
          <Badge diagnostics={diagnostics} />
          <Handles connectable={connectable} />
        </div>
      );
    }
  }
}

/** BPMN's multi-instance marker: three bars, vertical when parallel, horizontal when sequential. */
function LoopMarker({ node }: { node: ProcessNode }) {
  const mi = 'multiInstance' in node.data ? node.data.multiInstance : undefined;
  if (!mi) return null;
  const sequential = mi.sequential === true;
  return (
    <svg
      className="loop-marker"
      width="14"
      height="14"
      viewBox="0 0 14 14"
      role="img"
      aria-label={sequential ? 'sequential multi-instance' : 'parallel multi-instance'}
    >
      {[2, 6, 10].map((o) =>
        sequential ? (
          <rect key={o} x="1" y={o} width="12" height="2" />
        ) : (
          <rect key={o} x={o} y="1" width="2" height="12" />
        ),
      )}
    </svg>
  );
}

function LaneView({ data, selected, width, height, id }: NodeProps<FlowNode>) {
  const { lane, diagnostics } = data as LaneNodeData;
  const actions = useEditorActions();
  const readOnly = actions.readOnly;
  return (
    <div
      className={`lane${selected ? ' is-selected' : ''}`}
      style={{ width: width ?? lane.width, height: height ?? lane.height }}
    >
      {!readOnly && (
        <NodeResizer
          isVisible={selected ?? false}
          minWidth={200}
          minHeight={80}
          onResizeEnd={(_e, p) =>
            actions.resizeNode(id, {
              width: Math.round(p.width),
              height: Math.round(p.height),
              x: Math.round(p.x),
              y: Math.round(p.y),
            })
          }
        />
      )}
      <div className="lane-header">
        <span>{lane.name ?? lane.id}</span>
      </div>
      <Badge diagnostics={diagnostics} />
    </div>
  );
}

function PoolView({ data, width, height }: NodeProps<FlowNode>) {
  const { participant, kept } = data as PoolNodeData;
  return (
    <div
      className={kept ? 'pool is-kept' : 'pool'}
      data-testid={kept ? 'kept-pool' : 'pool'}
      title={kept ? 'Kept from the imported BPMN file; Ameide does not execute it' : undefined}
      style={{ width: width ?? participant.width, height: height ?? participant.height }}
    >
      <div className="pool-header">
        <span>{participant.name ?? participant.id}</span>
      </div>
    </div>
  );
}

const ProcessNodeMemo = memo(ProcessNodeView);

/** React Flow node types: every model node type (checked: a new one must be listed) plus lanes and the pool. */
const processNodeTypes: Record<ProcessNodeType, typeof ProcessNodeMemo> = {
  startEvent: ProcessNodeMemo,
  endEvent: ProcessNodeMemo,
  serviceTask: ProcessNodeMemo,
  sendTask: ProcessNodeMemo,
  receiveTask: ProcessNodeMemo,
  userTask: ProcessNodeMemo,
  agentTask: ProcessNodeMemo,
  scriptTask: ProcessNodeMemo,
  exclusiveGateway: ProcessNodeMemo,
  parallelGateway: ProcessNodeMemo,
  inclusiveGateway: ProcessNodeMemo,
  eventBasedGateway: ProcessNodeMemo,
  intermediateTimerEvent: ProcessNodeMemo,
  intermediateMessageEvent: ProcessNodeMemo,
  intermediateConditionalEvent: ProcessNodeMemo,
  intermediateSignalEvent: ProcessNodeMemo,
  intermediateLinkEvent: ProcessNodeMemo,
  intermediateThrowEvent: ProcessNodeMemo,
  boundaryEvent: ProcessNodeMemo,
  subProcess: ProcessNodeMemo,
  callActivity: ProcessNodeMemo,
  businessRuleTask: ProcessNodeMemo,
  textAnnotation: ProcessNodeMemo,
  unsupported: ProcessNodeMemo,
};
export const nodeTypes: NodeTypes = {
  ...processNodeTypes,
  lane: memo(LaneView),
  pool: memo(PoolView),
};
