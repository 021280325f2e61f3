import { useEffect, useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { InstanceStatus, type ProcessInstance } from '@ameide/proto';
import { parseProcessDefinition, type ProcessDefinition } from '@ameide/process-definition';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import { ProcessCanvas } from '../modeller/process-canvas.js';
import { useProcessEditor } from '../modeller/use-process-editor.js';
import { runStatusOf } from './run-status.js';
import { STATUS_LABEL } from './instances-page.js';
import { UserTaskForm } from './user-task-form.js';

const decoder = new TextDecoder();

/** One instance: the diagram of its pinned version with completed/active/failed nodes, its tasks and audit trail. */
export function InstancePage({ client, instanceId }: { client: AmeideClient; instanceId: string }) {
  const [instance, setInstance] = useState<ProcessInstance>();
  const [definition, setDefinition] = useState<ProcessDefinition>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    client.process
      .getProcessInstance({ instanceId })
      .then((r) => live && setInstance(r.instance))
      .catch((err: unknown) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [client, instanceId, tick]);

  // Follow a running instance.
  useEffect(() => {
    if (instance?.status !== InstanceStatus.RUNNING) return;
    const t = setTimeout(() => setTick((n) => n + 1), 1000);
    return () => clearTimeout(t);
  }, [instance]);

  const ref = instance?.definition;
  useEffect(() => {
    if (!ref?.definitionId) return;
    client.transformation
      .getArtifact({
        artifactId: ref.definitionId,
        at: { case: 'publishedVersion', value: ref.version },
      })
      .then((r) => {
        const parsed = parseProcessDefinition(decoder.decode(r.artifact?.content));
        if (parsed.ok) setDefinition(parsed.definition);
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, [client, ref?.definitionId, ref?.version]);

  if (error)
    return (
      <main className="list-page">
        <p role="alert" className="error">
          {error}
        </p>
      </main>
    );
  if (!instance)
    return (
      <main className="list-page" aria-busy="true">
        Loading…
      </main>
    );
  return (
    <main className="modeller">
      <div className="toolbar">
        <h1 className="title">
          {ref?.name} v{ref?.version}
        </h1>
        <span className="status" data-testid="instance-status">
          {STATUS_LABEL[instance.status]}
          {instance.businessKey ? ` · ${instance.businessKey}` : ''} · {instance.instanceId}
          {instance.errorMessage ? ` · ${instance.errorCode}: ${instance.errorMessage}` : ''}
        </span>
      </div>
      <div className="workspace">
        {definition ? (
          <ReactFlowProvider>
            <InstanceDiagram definition={definition} instance={instance} />
          </ReactFlowProvider>
        ) : (
          <div className="canvas" />
        )}
        <div className="side">
          <section aria-label="Open tasks">
            <h2>Open tasks</h2>
            {instance.userTasks.length === 0 && <p className="hint">None.</p>}
            {instance.userTasks.map((t) => (
              <div key={t.taskId}>
                <h3>{t.title || t.nodeId}</h3>
                <UserTaskForm client={client} task={t} onDone={() => setTick((n) => n + 1)} />
              </div>
            ))}
          </section>
          <section aria-label="Variables">
            <h2>Variables</h2>
            <pre className="mono">{JSON.stringify(instance.variables ?? {}, null, 2)}</pre>
          </section>
          <section aria-label="Audit trail">
            <h2>Audit trail</h2>
            <ol className="audit">
              {instance.audit.map((a) => (
                <li key={String(a.seq)}>
                  {a.at ? timestampDate(a.at).toLocaleTimeString() : ''} <strong>{a.event}</strong>{' '}
                  {a.nodeId} {a.by ? `· ${a.by}` : ''} {a.detail}
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </main>
  );
}

function InstanceDiagram({
  definition,
  instance,
}: {
  definition: ProcessDefinition;
  instance: ProcessInstance;
}) {
  const editor = useProcessEditor(definition);
  const status = useMemo(
    () =>
      runStatusOf({
        failed: instance.status === InstanceStatus.FAILED,
        tokens: instance.tokens,
        openTasks: instance.userTasks,
        audit: instance.audit,
      }),
    [instance],
  );
  return <ProcessCanvas editor={editor} readOnly fitSeq={0} runStatus={status} />;
}
