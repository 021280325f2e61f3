import type { ProcessNode } from '@ameide/process-definition';

/** SVG glyphs for BPMN markers, drawn in a 24×24 box. */
export function Glyph({ kind }: { kind: string }) {
  switch (kind) {
    case 'timer':
      return (
        <g fill="none" stroke="currentColor" strokeWidth="1.5">
          <circle cx="12" cy="12" r="8" />
          <path d="M12 6v6l4 2" />
        </g>
      );
    case 'message':
    case 'receive': // BPMN's receive marker: an outlined envelope, as on catching message events.
      return (
        <g fill="none" stroke="currentColor" strokeWidth="1.5">
          <rect x="5" y="7" width="14" height="10" />
          <path d="M5 7l7 5 7-5" />
        </g>
      );
    case 'error':
      return (
        <path
          d="M6 18l4-10 3 5 5-7-3 12-3-5z"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
        />
      );
    case 'signal':
      // BPMN's signal marker: a triangle.
      return (
        <path
          d="M12 4l8 15H4z"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
          strokeLinejoin="round"
        />
      );
    case 'link':
      // BPMN's link marker: a block arrow pointing right.
      return (
        <path
          d="M5 9h8V5l7 7-7 7v-4H5z"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
          strokeLinejoin="round"
        />
      );
    case 'conditional':
      // BPMN's conditional marker: a sheet with lines.
      return (
        <g fill="none" stroke="currentColor" strokeWidth="1.5">
          <rect x="6" y="4" width="12" height="16" />
          <path d="M8.5 8h7M8.5 11h7M8.5 14h7M8.5 17h7" />
        </g>
      );
    case 'escalation':
      // BPMN's escalation marker: an arrowhead pointing up.
      return (
        <path
          d="M12 4l6 15-6-5-6 5z"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
          strokeLinejoin="round"
        />
      );
    case 'terminate':
      return <circle cx="12" cy="12" r="7" fill="currentColor" />;
    case 'compensate':
      return (
        <path
          d="M11 7l-6 5 6 5zM19 7l-6 5 6 5z"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
        />
      );
    case 'service':
      return (
        <g fill="none" stroke="currentColor" strokeWidth="1.4">
          <circle cx="12" cy="12" r="3.2" />
          <path d="M12 3v3M12 18v3M3 12h3M18 12h3M5.6 5.6l2.1 2.1M16.3 16.3l2.1 2.1M5.6 18.4l2.1-2.1M16.3 7.7l2.1-2.1" />
        </g>
      );
    case 'send':
      // BPMN's send marker: a filled envelope (a throwing message).
      return (
        <g stroke="currentColor" strokeWidth="1.2">
          <rect x="5" y="7" width="14" height="10" fill="currentColor" />
          <path d="M5 7l7 5 7-5" fill="none" stroke="white" />
        </g>
      );
    case 'user':
      return (
        <g fill="none" stroke="currentColor" strokeWidth="1.4">
          <circle cx="12" cy="8" r="4" />
          <path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7" />
        </g>
      );
    case 'agent':
      return (
        <g fill="none" stroke="currentColor" strokeWidth="1.4">
          <rect x="5" y="8" width="14" height="11" rx="2" />
          <path d="M12 4v4M9 13h.01M15 13h.01M9 16h6" />
        </g>
      );
    case 'script':
      return (
        <g fill="none" stroke="currentColor" strokeWidth="1.4">
          <path d="M7 4h10c-2 3 2 5 0 8s2 5 0 8H7c2-3-2-5 0-8s-2-5 0-8z" />
          <path d="M8.5 8h6M9 12h6M8.5 16h6" />
        </g>
      );
    case 'businessRule':
      // BPMN's business rule marker: a table with a header row and a first column.
      return (
        <g fill="none" stroke="currentColor" strokeWidth="1.4">
          <rect x="4" y="6" width="16" height="12" />
          <path d="M4 10h16M9 10v8" />
        </g>
      );
    case 'exclusive':
      return <path d="M8 8l8 8M16 8l-8 8" stroke="currentColor" strokeWidth="2.5" />;
    case 'parallel':
      return <path d="M12 6v12M6 12h12" stroke="currentColor" strokeWidth="2.5" />;
    case 'inclusive':
      return <circle cx="12" cy="12" r="5.5" fill="none" stroke="currentColor" strokeWidth="2" />;
    case 'eventBased':
      return (
        <g fill="none" stroke="currentColor" strokeWidth="1.2">
          <circle cx="12" cy="12" r="7" />
          <circle cx="12" cy="12" r="5.5" />
          <path d="M12 8.5l3.3 2.4-1.3 3.9h-4l-1.3-3.9z" />
        </g>
      );
    default:
      return null;
  }
}

/** The marker an event shows (timer, message, error, terminate, compensate), if any. */
export function eventMarker(node: ProcessNode): string | undefined {
  switch (node.type) {
    case 'startEvent':
    case 'endEvent':
      return node.data.event?.type;
    case 'boundaryEvent':
      return node.data.event.type;
    case 'intermediateTimerEvent':
      return 'timer';
    case 'intermediateMessageEvent':
      return 'message';
    case 'intermediateThrowEvent':
      return node.data.event.type;
    case 'intermediateConditionalEvent':
      return 'conditional';
    case 'intermediateLinkEvent':
      return 'link';
    case 'intermediateSignalEvent':
      return 'signal';
    default:
      return undefined;
  }
}

export const TASK_MARKER: Partial<Record<ProcessNode['type'], string>> = {
  serviceTask: 'service',
  sendTask: 'send',
  receiveTask: 'receive',
  userTask: 'user',
  agentTask: 'agent',
  scriptTask: 'script',
  businessRuleTask: 'businessRule',
};

export const GATEWAY_MARKER: Partial<Record<ProcessNode['type'], string>> = {
  exclusiveGateway: 'exclusive',
  parallelGateway: 'parallel',
  inclusiveGateway: 'inclusive',
  eventBasedGateway: 'eventBased',
};
