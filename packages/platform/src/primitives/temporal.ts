import { Client, Connection } from '@temporalio/client';

/** Task queue of the platform's process primitive unless configured otherwise. */
export const DEFAULT_TASK_QUEUE = 'ameide-processes';

/** Where processes run. */
export interface TemporalConfig {
  /** Frontend, `host:port`. */
  readonly address: string;
  /** Default `default`. */
  readonly namespace?: string;
  /** Default {@link DEFAULT_TASK_QUEUE}. */
  readonly taskQueue?: string;
}

/** Connects a Temporal client; an unreachable frontend is named in the error. */
export async function connectTemporalClient(config: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect({
    address: config.address,
    connectTimeout: '10s',
  }).catch((err: unknown) => {
    throw new Error(`cannot connect to Temporal at ${config.address}: ${(err as Error).message}`, {
      cause: err,
    });
  });
  return new Client({ connection, namespace: config.namespace ?? 'default' });
}

/** Resolves when the Temporal frontend answers (a readiness check). */
export async function temporalAnswers(client: Client): Promise<void> {
  await client.connection.workflowService.getSystemInfo({});
}
