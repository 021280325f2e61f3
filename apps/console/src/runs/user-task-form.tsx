import type { JsonObject } from '@bufbuild/protobuf';
import { useId, useState, type FormEvent } from 'react';
import type { UserTask } from '@ameide/proto';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import { formFields, formSubmission } from './schema-form.js';

/** Completes a user task with a form rendered from the task's JSON Schema. */
export function UserTaskForm({
  client,
  task,
  onDone,
}: {
  client: AmeideClient;
  task: UserTask;
  onDone: () => void;
}) {
  const fields = formFields(task.form);
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = formSubmission(fields, values);
    if (!r.ok) return setError(r.message);
    setBusy(true);
    try {
      await client.process.completeUserTask({
        instanceId: task.instanceId,
        taskId: task.taskId,
        data: r.data as JsonObject,
      });
      onDone();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="task-form"
      onSubmit={(e) => void submit(e)}
      aria-label={`Complete ${task.title || task.nodeId}`}
    >
      {fields.length === 0 && (
        <p className="hint">This task has no form: completing it submits nothing.</p>
      )}
      {fields.map((f) => {
        const fid = `${id}-${f.name}`;
        if (f.kind === 'boolean')
          return (
            <label key={f.name} className="field checkbox">
              <input
                type="checkbox"
                checked={values[f.name] === true}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.checked })}
              />{' '}
              {f.label}
            </label>
          );
        return (
          <div key={f.name} className="field">
            <label htmlFor={fid}>
              {f.label}
              {f.required ? ' *' : ''}
            </label>
            {f.kind === 'enum' ? (
              <select
                id={fid}
                value={String(values[f.name] ?? '')}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              >
                <option value="">—</option>
                {f.options?.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            ) : (
              <input
                id={fid}
                inputMode={f.kind === 'number' || f.kind === 'integer' ? 'decimal' : undefined}
                value={String(values[f.name] ?? '')}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                className={f.kind === 'json' ? 'mono' : undefined}
              />
            )}
            {f.description && <div className="hint">{f.description}</div>}
          </div>
        );
      })}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Complete task
      </button>
    </form>
  );
}
