import { useCallback, useEffect, useState } from 'react';
import type { UserTask } from '@ameide/proto';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import { UserTaskForm } from './user-task-form.js';

/** The signed-in user's inbox: open user tasks they may complete. */
export function TasksPage({ client }: { client: AmeideClient }) {
  const [tasks, setTasks] = useState<UserTask[]>();
  const [open, setOpen] = useState<string>();
  const [error, setError] = useState<string>();
  const refresh = useCallback(() => {
    client.process
      .listUserTasks({})
      .then((r) => setTasks(r.tasks))
      .catch((err: unknown) => setError(describeError(err)));
  }, [client]);
  useEffect(refresh, [refresh]);
  return (
    <main className="list-page">
      <h1>Tasks</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {tasks?.length === 0 && <p>No open tasks.</p>}
      <ul className="inbox">
        {tasks?.map((t) => (
          <li key={t.taskId}>
            <button
              type="button"
              aria-expanded={open === t.taskId}
              onClick={() => setOpen(open === t.taskId ? undefined : t.taskId)}
            >
              <strong>{t.title || t.nodeId}</strong> · {t.definitionName} ·{' '}
              <a href={`#/instances/${encodeURIComponent(t.instanceId)}`}>{t.instanceId}</a>
              {t.assignee ? ` · assigned to ${t.assignee}` : ''}
              {t.candidateGroups.length ? ` · groups ${t.candidateGroups.join(', ')}` : ''}
            </button>
            {open === t.taskId && (
              <UserTaskForm
                client={client}
                task={t}
                onDone={() => {
                  setOpen(undefined);
                  refresh();
                }}
              />
            )}
          </li>
        ))}
      </ul>
    </main>
  );
}
