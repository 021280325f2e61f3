import { useMemo } from 'react';
import { ameideServices } from '@ameide/proto';
import {
  ACTIVITY_TYPES,
  type ProcessDefinition,
  type ProcessEdge,
  type ProcessNode,
  type ProcessVariable,
} from '@ameide/process-definition';
import { updateEdgeData, updateLane, updateNodeData } from '../model/edit-definition.js';
import type { EditResult } from '../model/edit-types.js';
import {
  CheckboxField,
  feelCheck,
  isoCheck,
  jsonObjectCheck,
  SelectField,
  TextField,
} from './fields.js';
import { getIn, setIn } from './set-in.js';

type Apply = (r: EditResult) => void;

/** Services and their methods from the proto registry the platform ships. */
function useServiceCatalogue(): { service: string; methods: string[] }[] {
  return useMemo(
    () =>
      ameideServices().map((s) => ({ service: s.typeName, methods: s.methods.map((m) => m.name) })),
    [],
  );
}

/**
 * Properties of the selected node, flow or lane (or of the process when nothing is selected).
 * Read-only when viewing history.
 */
export function PropertiesPanel({
  definition,
  selectedNodes,
  selectedEdges,
  apply,
  readOnly,
}: {
  definition: ProcessDefinition;
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  apply: Apply;
  readOnly: boolean;
}) {
  const count = selectedNodes.size + selectedEdges.size;
  let body;
  if (count > 1) body = <p className="hint">{count} elements selected.</p>;
  else if (selectedNodes.size === 1) {
    const id = [...selectedNodes][0]!;
    const node = definition.nodes.find((n) => n.id === id);
    const lane = definition.lanes.find((l) => l.id === id);
    if (node)
      body = <NodeProperties key={node.id} definition={definition} node={node} apply={apply} />;
    else if (lane)
      body = (
        <>
          <h3>Lane {lane.id}</h3>
          <TextField
            label="Name"
            value={lane.name ?? ''}
            onCommit={(v) => apply(updateLane(definition, lane.id, { name: v }))}
          />
          <p className="hint">{lane.nodeIds.length} node(s) in this lane.</p>
        </>
      );
  } else if (selectedEdges.size === 1) {
    const edge = definition.edges.find((e) => e.id === [...selectedEdges][0]);
    if (edge)
      body = <EdgeProperties key={edge.id} definition={definition} edge={edge} apply={apply} />;
  } else body = <ProcessProperties definition={definition} apply={apply} />;
  return (
    <section className="properties" aria-label="Properties">
      <h2>Properties</h2>
      <fieldset disabled={readOnly}>{body}</fieldset>
    </section>
  );
}

function ProcessProperties({ definition, apply }: { definition: ProcessDefinition; apply: Apply }) {
  const set = (patch: Partial<ProcessDefinition>) =>
    apply({ ok: true, definition: { ...definition, ...patch }, ids: [] });
  const setText = (key: 'name' | 'documentation', value: string) => {
    const { [key]: _old, ...rest } = definition;
    apply({ ok: true, definition: value ? { ...rest, [key]: value } : rest, ids: [] });
  };
  const setVariables = (variables: ProcessVariable[]) => set({ variables });
  return (
    <>
      <h3>Process {definition.id}</h3>
      <TextField
        label="Process id"
        value={definition.id}
        onCommit={(v) => set({ id: v })}
        hint="Other processes call it by this id."
      />
      <TextField label="Name" value={definition.name ?? ''} onCommit={(v) => setText('name', v)} />
      <TextField
        label="Documentation"
        multiline
        value={definition.documentation ?? ''}
        onCommit={(v) => setText('documentation', v)}
      />
      <h4>Variables</h4>
      <table className="variables">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
            <th scope="col">
              <span className="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {definition.variables.map((v, i) => (
            <tr key={i}>
              <td>
                <input
                  aria-label={`Variable ${i + 1} name`}
                  defaultValue={v.name}
                  onBlur={(e) =>
                    e.target.value !== v.name &&
                    setVariables(
                      definition.variables.map((x, j) =>
                        j === i ? { ...x, name: e.target.value } : x,
                      ),
                    )
                  }
                />
              </td>
              <td>
                <select
                  aria-label={`Variable ${v.name} type`}
                  value={v.type}
                  onChange={(e) =>
                    setVariables(
                      definition.variables.map((x, j) =>
                        j === i ? { ...x, type: e.target.value as ProcessVariable['type'] } : x,
                      ),
                    )
                  }
                >
                  {[
                    'string',
                    'number',
                    'boolean',
                    'date',
                    'dateTime',
                    'duration',
                    'object',
                    'array',
                    'any',
                  ].map((t) => (
                    <option key={t}>{t}</option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Variable ${v.name} required`}
                  checked={v.required ?? false}
                  onChange={(e) =>
                    setVariables(
                      definition.variables.map((x, j) =>
                        j === i ? { ...x, required: e.target.checked } : x,
                      ),
                    )
                  }
                />
              </td>
              <td>
                <button
                  type="button"
                  aria-label={`Remove variable ${v.name}`}
                  onClick={() => setVariables(definition.variables.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() =>
          setVariables([
            ...definition.variables,
            { name: `var${definition.variables.length + 1}`, type: 'string' },
          ])
        }
      >
        Add variable
      </button>
    </>
  );
}

function EdgeProperties({
  definition,
  edge,
  apply,
}: {
  definition: ProcessDefinition;
  edge: ProcessEdge;
  apply: Apply;
}) {
  const source = definition.nodes.find((n) => n.id === edge.source);
  const fromGateway = source?.type === 'exclusiveGateway' || source?.type === 'inclusiveGateway';
  const set = (data: ProcessEdge['data']) => apply(updateEdgeData(definition, edge.id, data));
  return (
    <>
      <h3>Sequence flow {edge.id}</h3>
      <p className="hint">
        {edge.source} → {edge.target}
      </p>
      <TextField
        label="Name"
        value={edge.data.name ?? ''}
        onCommit={(v) => set(setIn(edge.data, ['name'], v))}
      />
      {fromGateway ? (
        <>
          <CheckboxField
            label="Default flow (taken when no condition holds)"
            checked={edge.data.isDefault ?? false}
            onChange={(v) => set({ ...edge.data, isDefault: v })}
          />
          {!edge.data.isDefault && (
            <TextField
              label="Condition (FEEL)"
              mono
              value={edge.data.condition ?? ''}
              check={feelCheck}
              placeholder="amount > 1000"
              onCommit={(v) => set(setIn(edge.data, ['condition'], v))}
            />
          )}
        </>
      ) : (
        <p className="hint">
          Conditions and default flows belong on flows leaving exclusive or inclusive gateways.
        </p>
      )}
    </>
  );
}

function NodeProperties({
  definition,
  node,
  apply,
}: {
  definition: ProcessDefinition;
  node: ProcessNode;
  apply: Apply;
}) {
  const data = node.data as Record<string, unknown>;
  const str = (path: string[]) => {
    const v = getIn(data, path);
    return typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : '';
  };
  const set = (path: string[], value: unknown) =>
    apply(updateNodeData(definition, node.id, setIn(data, path, value)));
  const feel = (label: string, path: string[], placeholder?: string) => (
    <TextField
      key={path.join('.')}
      label={`${label} (FEEL)`}
      mono
      value={str(path)}
      check={feelCheck}
      {...(placeholder ? { placeholder } : {})}
      onCommit={(v) => set(path, v)}
    />
  );
  const timer = (path: string[]) => {
    const type =
      (getIn(data, [...path, 'type']) as 'duration' | 'date' | 'cycle' | undefined) ?? 'duration';
    return (
      <>
        <SelectField
          label="Timer type"
          value={type}
          options={['duration', 'date', 'cycle']}
          onChange={(v) => set([...path, 'type'], v)}
        />
        <TextField
          label="Timer (ISO 8601)"
          mono
          value={str([...path, 'value'])}
          check={isoCheck(type)}
          placeholder={
            type === 'duration' ? 'PT15M' : type === 'date' ? '2026-01-01T09:00:00Z' : 'R3/PT1H'
          }
          onCommit={(v) => set([...path, 'value'], v || ' ')}
        />
      </>
    );
  };

  /** The code field of an error/escalation catcher: empty catches every one. */
  const caughtCode = (kind: 'error' | 'escalation') => (
    <TextField
      key="c"
      label={`${kind === 'error' ? 'Error' : 'Escalation'} code (empty catches every ${kind})`}
      value={str(['event', `${kind}Code`])}
      onCommit={(v) => set(['event', `${kind}Code`], v || undefined)}
    />
  );
  /** A signal's name (broadcast within the tenant). */
  const signalName = (path: string[]) => (
    <TextField
      key="signal"
      label="Signal (broadcast to the tenant's instances)"
      value={str(path)}
      onCommit={(v) => set(path, v)}
    />
  );
  /** The code field of an error/escalation thrower. */
  const thrownCode = (kind: 'error' | 'escalation') => (
    <TextField
      key="code"
      label={kind === 'error' ? 'Error code' : 'Escalation code'}
      value={str(['event', `${kind}Code`])}
      onCommit={(v) => set(['event', `${kind}Code`], v)}
    />
  );

  const sections: React.ReactNode[] = [];
  switch (node.type) {
    case 'startEvent': {
      const trigger = node.data.event?.type ?? 'none';
      // The start event of an event subprocess: an error trigger, and whether it interrupts.
      const parent = definition.nodes.find((n) => n.id === node.parentId);
      const eventSub = parent?.type === 'subProcess' && parent.data.triggeredByEvent === true;
      sections.push(
        <SelectField
          key="trigger"
          label="Trigger"
          value={trigger}
          options={
            eventSub
              ? ['none', 'timer', 'message', 'error', 'escalation', 'conditional', 'signal']
              : node.parentId === undefined
                ? ['none', 'timer', 'message', 'signal']
                : ['none', 'timer', 'message']
          }
          onChange={(v) =>
            set(
              ['event'],
              v === 'none'
                ? undefined
                : v === 'timer'
                  ? { type: 'timer', timer: { type: 'duration', value: 'PT1H' } }
                  : v === 'error' || v === 'escalation'
                    ? { type: v }
                    : v === 'conditional'
                      ? { type: 'conditional', condition: 'ready = true' }
                      : v === 'signal'
                        ? { type: 'signal', signal: 'Signal' }
                        : { type: 'message', message: { name: 'Message', correlationKey: 'id' } },
            )
          }
        />,
      );
      if (eventSub)
        sections.push(
          <CheckboxField
            key="i"
            label="Interrupting (cancels what else runs at the event sub-process's level)"
            checked={node.data.interrupting !== false}
            onChange={(v) => set(['interrupting'], v)}
          />,
        );
      if (trigger === 'timer') sections.push(<div key="t">{timer(['event', 'timer'])}</div>);
      if (trigger === 'message')
        sections.push(
          <MessageFields key="m" str={str} set={set} feel={feel} base={['event', 'message']} />,
        );
      if (trigger === 'error' || trigger === 'escalation') sections.push(caughtCode(trigger));
      if (trigger === 'conditional') sections.push(feel('Condition', ['event', 'condition']));
      if (trigger === 'signal') sections.push(signalName(['event', 'signal']));
      break;
    }
    case 'intermediateSignalEvent':
      sections.push(signalName(['signal']));
      break;
    case 'intermediateConditionalEvent':
      sections.push(feel('Condition', ['condition'], 'paid = true'));
      break;
    case 'intermediateThrowEvent':
      sections.push(
        node.data.event.type === 'signal' ? (
          signalName(['event', 'signal'])
        ) : node.data.event.type === 'link' ? (
          <TextField
            key="link"
            label="Link (continues at the link catch event of this name)"
            value={str(['event', 'link'])}
            onCommit={(v) => set(['event', 'link'], v)}
          />
        ) : (
          thrownCode('escalation')
        ),
      );
      break;
    case 'intermediateLinkEvent':
      sections.push(
        <TextField
          key="link"
          label="Link name"
          value={str(['link'])}
          onCommit={(v) => set(['link'], v)}
        />,
      );
      break;
    case 'subProcess':
      sections.push(
        <CheckboxField
          key="e"
          label="Event sub-process (no flows; its start event's trigger starts it)"
          checked={node.data.triggeredByEvent === true}
          onChange={(v) => set(['triggeredByEvent'], v || undefined)}
        />,
      );
      break;
    case 'endEvent': {
      const kind = node.data.event?.type ?? 'none';
      sections.push(
        <SelectField
          key="kind"
          label="Result"
          value={kind}
          options={['none', 'error', 'escalation', 'signal', 'terminate', 'compensate']}
          onChange={(v) =>
            set(
              ['event'],
              v === 'none'
                ? undefined
                : v === 'error'
                  ? { type: 'error', errorCode: 'ERROR' }
                  : v === 'escalation'
                    ? { type: 'escalation', escalationCode: 'ESCALATION' }
                    : v === 'signal'
                      ? { type: 'signal', signal: 'Signal' }
                      : { type: v },
            )
          }
        />,
      );
      if (kind === 'error' || kind === 'escalation') sections.push(thrownCode(kind));
      if (kind === 'signal') sections.push(signalName(['event', 'signal']));
      break;
    }
    case 'intermediateTimerEvent':
      sections.push(<div key="t">{timer(['timer'])}</div>);
      break;
    case 'intermediateMessageEvent':
      sections.push(<MessageFields key="m" str={str} set={set} feel={feel} base={['message']} />);
      break;
    case 'boundaryEvent':
      sections.push(
        <p key="a" className="hint">
          Attached to {node.data.attachedTo}
        </p>,
        <CheckboxField
          key="i"
          label="Interrupting (cancels the activity)"
          checked={node.data.interrupting}
          onChange={(v) => set(['interrupting'], v)}
        />,
      );
      if (node.data.event.type === 'timer')
        sections.push(<div key="t">{timer(['event', 'timer'])}</div>);
      else if (node.data.event.type === 'message')
        sections.push(
          <MessageFields key="m" str={str} set={set} feel={feel} base={['event', 'message']} />,
        );
      else if (node.data.event.type === 'conditional')
        sections.push(feel('Condition', ['event', 'condition']));
      else if (node.data.event.type === 'signal') sections.push(signalName(['event', 'signal']));
      else sections.push(caughtCode(node.data.event.type));
      break;
    case 'serviceTask':
    case 'sendTask':
      sections.push(<ServiceBindingFields key="b" str={str} set={set} feel={feel} />);
      break;
    case 'receiveTask':
      sections.push(<MessageFields key="m" str={str} set={set} feel={feel} base={['message']} />);
      break;
    case 'userTask':
      sections.push(
        <TextField
          key="title"
          label="Task title"
          value={str(['binding', 'title'])}
          onCommit={(v) => set(['binding', 'title'], v)}
        />,
        feel('Assignee', ['binding', 'assignee'], '"alice"'),
        feel('Candidate groups', ['binding', 'candidateGroups'], '["sales"]'),
        <TextField
          key="due"
          label="Due (ISO 8601 duration)"
          mono
          value={str(['binding', 'due'])}
          check={isoCheck('duration')}
          placeholder="P2D"
          onCommit={(v) => set(['binding', 'due'], v)}
        />,
        <TextField
          key="form"
          label="Form (JSON Schema)"
          mono
          multiline
          value={node.data.binding?.form ? JSON.stringify(node.data.binding.form, null, 2) : ''}
          check={jsonObjectCheck}
          placeholder='{"type":"object","properties":{"approved":{"type":"boolean"}}}'
          onCommit={(v) => {
            if (jsonObjectCheck(v)) return;
            set(['binding', 'form'], v.trim() ? (JSON.parse(v) as unknown) : undefined);
          }}
        />,
        feel('Output', ['binding', 'output'], '{ approved: submission.approved }'),
      );
      break;
    case 'agentTask':
      sections.push(
        <TextField
          key="agent"
          label="Agent (AgentDefinition name)"
          value={str(['binding', 'agent'])}
          onCommit={(v) => set(['binding', 'agent'], v)}
        />,
        <TextField
          key="version"
          label="Version (latest or a number)"
          value={str(['binding', 'version']) || 'latest'}
          onCommit={(v) => set(['binding', 'version'], /^\d+$/.test(v) ? Number(v) : 'latest')}
        />,
        <SelectField
          key="risk"
          label="Risk tier"
          value={str(['binding', 'riskTier']) || 'low'}
          options={['low', 'medium', 'high']}
          onChange={(v) => set(['binding', 'riskTier'], v)}
        />,
        <TextField
          key="instr"
          label="Instructions"
          multiline
          value={str(['binding', 'instructions'])}
          onCommit={(v) => set(['binding', 'instructions'], v)}
        />,
        feel('Input', ['binding', 'input']),
        feel('Output', ['binding', 'output'], '{ decision: result.decision }'),
      );
      break;
    case 'scriptTask':
      sections.push(
        <TextField
          key="script"
          label="Script (FEEL)"
          mono
          multiline
          value={node.data.script}
          check={feelCheck}
          onCommit={(v) => set(['script'], v || ' ')}
        />,
        <TextField
          key="rv"
          label="Result variable"
          value={str(['resultVariable'])}
          onCommit={(v) => set(['resultVariable'], v)}
        />,
      );
      break;
    case 'callActivity':
      sections.push(
        <TextField
          key="def"
          label="Called process (definition id)"
          value={str(['binding', 'definition'])}
          onCommit={(v) => set(['binding', 'definition'], v)}
        />,
        <TextField
          key="version"
          label="Version (latest or a number)"
          value={str(['binding', 'version']) || 'latest'}
          onCommit={(v) => set(['binding', 'version'], /^\d+$/.test(v) ? Number(v) : 'latest')}
        />,
        feel('Input', ['binding', 'input']),
        feel('Output', ['binding', 'output']),
      );
      break;
    case 'businessRuleTask':
      sections.push(
        <TextField
          key="decision"
          label="Decision (DecisionDefinition name)"
          value={str(['binding', 'decision'])}
          onCommit={(v) => set(['binding', 'decision'], v)}
        />,
        <TextField
          key="version"
          label="Version (latest or a number)"
          value={str(['binding', 'version']) || 'latest'}
          onCommit={(v) => set(['binding', 'version'], /^\d+$/.test(v) ? Number(v) : 'latest')}
        />,
        <TextField
          key="decisionId"
          label="Decision id (empty: the model's top-level decision)"
          value={str(['binding', 'decisionId'])}
          onCommit={(v) => set(['binding', 'decisionId'], v === '' ? undefined : v)}
        />,
        <TextField
          key="rv"
          label="Result variable"
          value={str(['binding', 'resultVariable'])}
          onCommit={(v) => set(['binding', 'resultVariable'], v)}
        />,
        feel('Input', ['binding', 'input'], '{ tier: customer.tier, total: orderTotal }'),
      );
      break;
    default:
      break;
  }
  if (ACTIVITY_TYPES.has(node.type))
    sections.push(<MultiInstanceFields key="mi" str={str} set={set} feel={feel} data={data} />);
  switch (node.type) {
    case 'unsupported':
      sections.push(
        <p key="u" className="field-error">
          {node.data.bpmnType} is not executed by Ameide (kept from the imported file).
        </p>,
      );
      break;
    default:
      break;
  }
  return (
    <>
      <h3>
        {node.type} {node.id}
      </h3>
      {node.type === 'textAnnotation' ? (
        <TextField
          label="Text"
          multiline
          value={node.data.text}
          onCommit={(v) => set(['text'], v || ' ')}
        />
      ) : (
        <TextField label="Name" value={str(['name'])} onCommit={(v) => set(['name'], v)} />
      )}
      {sections}
      {node.type !== 'textAnnotation' && (
        <TextField
          label="Documentation"
          multiline
          value={str(['documentation'])}
          onCommit={(v) => set(['documentation'], v)}
        />
      )}
    </>
  );
}

/** The loop switched to `mode`: a sequential one has no concurrency bound. */
function loopOf(mi: Record<string, unknown>, mode: string): Record<string, unknown> {
  const { sequential: _s, maxConcurrency, ...rest } = mi;
  return mode === 'sequential'
    ? { ...rest, sequential: true }
    : { ...rest, ...(maxConcurrency !== undefined ? { maxConcurrency } : {}) };
}

/** Multi-instance: none, parallel or sequential, and the loop's fields. */
function MultiInstanceFields({
  str,
  set,
  feel,
  data,
}: {
  str: Str;
  set: Set;
  feel: Feel;
  data: Record<string, unknown>;
}) {
  const mi = getIn(data, ['multiInstance']) as Record<string, unknown> | undefined;
  const mode = !mi ? 'none' : mi['sequential'] === true ? 'sequential' : 'parallel';
  return (
    <>
      <SelectField
        label="Multi-instance"
        value={mode}
        options={['none', 'parallel', 'sequential']}
        onChange={(v) =>
          set(
            ['multiInstance'],
            v === 'none'
              ? undefined
              : loopOf(mi ?? { inputCollection: 'items', inputElement: 'item' }, v),
          )
        }
      />
      {mi && (
        <>
          {feel('Input collection', ['multiInstance', 'inputCollection'], 'order.lines')}
          <TextField
            label="Element variable (local to an instance)"
            value={str(['multiInstance', 'inputElement'])}
            onCommit={(v) => set(['multiInstance', 'inputElement'], v === '' ? undefined : v)}
          />
          <TextField
            label="Output collection (variable)"
            value={str(['multiInstance', 'outputCollection'])}
            onCommit={(v) => set(['multiInstance', 'outputCollection'], v === '' ? undefined : v)}
          />
          {feel('Output element', ['multiInstance', 'outputElement'], 'result')}
          {feel(
            'Completion condition',
            ['multiInstance', 'completionCondition'],
            'numberOfCompletedInstances >= 2',
          )}
          {mode === 'parallel' && (
            <TextField
              label="Max concurrency (default 100)"
              value={str(['multiInstance', 'maxConcurrency'])}
              onCommit={(v) =>
                set(['multiInstance', 'maxConcurrency'], /^\d+$/.test(v) ? Number(v) : undefined)
              }
            />
          )}
        </>
      )}
    </>
  );
}

type Str = (path: string[]) => string;
type Set = (path: string[], value: unknown) => void;
type Feel = (label: string, path: string[], placeholder?: string) => React.ReactNode;

function MessageFields({
  str,
  set,
  feel,
  base,
}: {
  str: Str;
  set: Set;
  feel: Feel;
  base: string[];
}) {
  return (
    <>
      <TextField
        label="Message name"
        value={str([...base, 'name'])}
        onCommit={(v) => set([...base, 'name'], v)}
      />
      {feel('Correlation key', [...base, 'correlationKey'], 'orderId')}
      {feel('Output', [...base, 'output'], '{ payment: message }')}
    </>
  );
}

function ServiceBindingFields({ str, set, feel }: { str: Str; set: Set; feel: Feel }) {
  const catalogue = useServiceCatalogue();
  const service = str(['binding', 'service']);
  const methods = catalogue.find((s) => s.service === service)?.methods ?? [];
  return (
    <>
      <SelectField
        label="Service"
        value={service}
        options={[
          { value: '', label: '— choose a service —' },
          ...catalogue.map((s) => s.service),
          ...(service && !catalogue.some((s) => s.service === service)
            ? [{ value: service, label: `${service} (unknown)` }]
            : []),
        ]}
        onChange={(v) => set(['binding'], v ? { service: v, method: '' } : undefined)}
      />
      {service && (
        <SelectField
          label="Method"
          value={str(['binding', 'method'])}
          options={[{ value: '', label: '— choose a method —' }, ...methods]}
          onChange={(v) => set(['binding', 'method'], v || ' ')}
        />
      )}
      {feel('Input (request message)', ['binding', 'input'], '{ orderId: orderId }')}
      {feel('Output', ['binding', 'output'], '{ status: response.status }')}
      <TextField
        label="Timeout per attempt (ISO 8601)"
        mono
        value={str(['binding', 'timeout'])}
        check={isoCheck('duration')}
        placeholder="PT30S"
        onCommit={(v) => set(['binding', 'timeout'], v)}
      />
      <TextField
        label="Retry: max attempts"
        value={str(['binding', 'retry', 'maxAttempts'])}
        placeholder="3"
        onCommit={(v) =>
          set(
            ['binding', 'retry'],
            v
              ? {
                  maxAttempts: Number(v),
                  initialInterval: str(['binding', 'retry', 'initialInterval']) || 'PT1S',
                  backoff: Number(str(['binding', 'retry', 'backoff']) || 2),
                }
              : undefined,
          )
        }
      />
      <TextField
        label="Compensation method"
        value={str(['binding', 'compensation', 'method'])}
        onCommit={(v) => set(['binding', 'compensation', 'method'], v)}
      />
    </>
  );
}
