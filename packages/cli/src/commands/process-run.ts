import { readFile } from 'node:fs/promises';
import { create, type JsonObject } from '@bufbuild/protobuf';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  InstanceStatus,
  ListProcessInstancesResponseSchema,
  ListUserTasksResponseSchema,
  ProcessInstanceSchema,
  StartProcessResponseSchema,
  BroadcastSignalResponseSchema,
  CorrelateMessageResponseSchema,
  type ProcessInstance,
  type UserTask,
} from '@ameide/proto';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { formatTime, printJson, printTable } from '../config/output.js';

const statuses: Record<string, InstanceStatus> = {
  running: InstanceStatus.RUNNING,
  completed: InstanceStatus.COMPLETED,
  failed: InstanceStatus.FAILED,
  cancelled: InstanceStatus.CANCELLED,
};

function statusArg(value: string): InstanceStatus {
  const s = statuses[value.toLowerCase()];
  if (s === undefined) throw new InvalidArgumentError(`one of ${Object.keys(statuses).join(', ')}`);
  return s;
}
function statusName(s: InstanceStatus): string {
  return Object.entries(statuses).find(([, v]) => v === s)?.[0] ?? 'unknown';
}

/** `latest` → 0 (the proto's "latest published"), else a positive version number. */
function versionArg(value: string): number {
  if (value === 'latest') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError('a published version number or "latest"');
  return n;
}

/** A JSON object from an option value; names the option in the error. */
function jsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${what} is not JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`${what} must be a JSON object, e.g. '{"approved": true}'`);
  }
  return value as JsonObject;
}

const jsonOption = () => new Option('--json', 'print the result as JSON');
const groups = (t: UserTask) => t.candidateGroups.join(',') || '-';

function printInstance(p: ProcessInstance): void {
  const def = p.definition;
  const out = process.stdout;
  out.write(`instance     ${p.instanceId}\n`);
  out.write(
    `status       ${statusName(p.status)}${p.errorCode ? ` (${p.errorCode}${p.errorMessage ? `: ${p.errorMessage}` : ''})` : ''}\n`,
  );
  out.write(
    `definition   ${def?.name ?? '?'} v${def?.version ?? '?'}${def?.planHash ? ` (plan ${def.planHash.slice(0, 12)}…)` : ''}\n`,
  );
  if (p.businessKey) out.write(`business key ${p.businessKey}\n`);
  out.write(`started      ${formatTime(p.startedAt)}${p.startedBy ? ` by ${p.startedBy}` : ''}\n`);
  if (p.closedAt) out.write(`closed       ${formatTime(p.closedAt)}\n`);

  out.write(`\nActive tokens (${p.tokens.length})\n`);
  if (p.tokens.length > 0)
    printTable(
      ['TOKEN', 'NODE', 'SCOPE', 'WAITING FOR'],
      p.tokens.map((t) => [t.id, t.nodeId, t.scope, t.waitingFor || '-']),
    );

  out.write(`\nOpen user tasks (${p.userTasks.length})\n`);
  if (p.userTasks.length > 0)
    printTable(
      ['TASK', 'NODE', 'TITLE', 'ASSIGNEE', 'GROUPS', 'DUE'],
      p.userTasks.map((t) => [
        t.taskId,
        t.nodeId,
        t.title,
        t.assignee || '-',
        groups(t),
        formatTime(t.dueAt) || '-',
      ]),
    );

  out.write('\nVariables\n');
  const vars = JSON.stringify(p.variables ?? {}, null, 2);
  out.write(
    `${vars
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')}\n`,
  );

  out.write(`\nAudit trail (${p.audit.length})\n`);
  if (p.audit.length > 0)
    printTable(
      ['SEQ', 'AT', 'EVENT', 'NODE', 'BY', 'DETAIL'],
      p.audit.map((a) => [
        String(a.seq),
        formatTime(a.at),
        a.event,
        a.nodeId || '-',
        a.by || '-',
        a.detail,
      ]),
    );
}

/**
 * Adds the commands that run processes on the platform to `ameide process`:
 * `start`, `list`, `show`, `cancel`, `message`, `signal` (ProcessService).
 */
export function addProcessRunCommands(process_: Command): void {
  withPlatformOptions(
    process_
      .command('start')
      .description('start an instance of a published process definition')
      .argument(
        '<definition>',
        'definition name (e.g. order-to-cash), or its artifact id with --by-id',
      )
      .option('--by-id', 'treat <definition> as the artifact id, not the name')
      .addOption(
        new Option('--version <n|latest>', 'published version to run')
          .argParser(versionArg)
          .default(0, 'latest'),
      )
      .addOption(
        new Option('--input <json>', 'input variables as a JSON object').conflicts('inputFile'),
      )
      .option('--input-file <path>', 'read the input variables from a JSON file')
      .option('--business-key <key>', 'your reference for the instance (e.g. an order number)')
      .addOption(jsonOption())
      .addHelpText(
        'after',
        `\nExample:\n  $ ameide process start order-to-cash --version latest --business-key PO-42 \\\n      --input '{"customerId":"c-1","currency":"EUR","sku":"S","quantity":2,"unitPriceMinor":1250,"paymentReference":"PAY-1"}'`,
      ),
  ).action(
    async (
      definition: string,
      opts: {
        byId?: boolean;
        version: number;
        input?: string;
        inputFile?: string;
        businessKey?: string;
        json?: boolean;
      },
      cmd: Command,
    ) => {
      const variables = opts.inputFile
        ? jsonObject(await readFile(opts.inputFile, 'utf8'), `--input-file ${opts.inputFile}`)
        : opts.input !== undefined
          ? jsonObject(opts.input, '--input')
          : {};
      const client = await platformClient(cmd);
      const res = await client.process.startProcess({
        definition: opts.byId
          ? { case: 'definitionId', value: definition }
          : { case: 'definitionName', value: definition },
        version: opts.version,
        variables,
        businessKey: opts.businessKey ?? '',
      });
      if (opts.json) return printJson(StartProcessResponseSchema, res);
      const d = res.definition;
      process.stdout.write(`${res.instanceId}\n`);
      process.stderr.write(
        `started ${d?.name ?? definition} v${d?.version ?? '?'} (plan ${d?.planHash.slice(0, 12) ?? '?'}…)\n`,
      );
    },
  );

  withPlatformOptions(
    process_
      .command('list')
      .description("list the tenant's process instances, newest first")
      .option('--definition <name>', 'only instances of this definition')
      .option(
        '--status <status>',
        `only instances in this status: ${Object.keys(statuses).join(', ')}`,
        statusArg,
      )
      .option('--business-key <key>', 'only instances with this business key')
      .addOption(jsonOption())
      .addHelpText(
        'after',
        '\nExample:\n  $ ameide process list --definition order-to-cash --status running',
      ),
  ).action(
    async (
      opts: { definition?: string; status?: InstanceStatus; businessKey?: string; json?: boolean },
      cmd: Command,
    ) => {
      const client = await platformClient(cmd);
      const instances: ProcessInstance[] = [];
      let pageToken = '';
      do {
        const page = await client.process.listProcessInstances({
          definitionName: opts.definition ?? '',
          status: opts.status ?? InstanceStatus.UNSPECIFIED,
          businessKey: opts.businessKey ?? '',
          pageSize: 100,
          pageToken,
        });
        instances.push(...page.instances);
        pageToken = page.nextPageToken;
      } while (pageToken !== '' && instances.length < 10_000);
      if (opts.json)
        return printJson(
          ListProcessInstancesResponseSchema,
          create(ListProcessInstancesResponseSchema, { instances, nextPageToken: pageToken }),
        );
      if (instances.length === 0) {
        process.stderr.write('no process instances\n');
        return;
      }
      printTable(
        ['INSTANCE', 'DEFINITION', 'VERSION', 'STATUS', 'BUSINESS KEY', 'STARTED', 'CLOSED'],
        instances.map((p) => [
          p.instanceId,
          p.definition?.name ?? '',
          String(p.definition?.version ?? ''),
          statusName(p.status),
          p.businessKey || '-',
          formatTime(p.startedAt),
          formatTime(p.closedAt) || '-',
        ]),
      );
    },
  );

  withPlatformOptions(
    process_
      .command('show')
      .description(
        'show an instance: status, active tokens, open user tasks, variables and audit trail',
      )
      .argument('<instance-id>', 'the id `ameide process start` printed')
      .addOption(jsonOption())
      .addHelpText(
        'after',
        '\nExample:\n  $ ameide process show 3f0c9a2e-6d0b-4c55-9a51-0d2b8e1f7a10',
      ),
  ).action(async (instanceId: string, opts: { json?: boolean }, cmd: Command) => {
    const client = await platformClient(cmd);
    const { instance } = await client.process.getProcessInstance({ instanceId });
    if (!instance) throw new Error(`no instance ${instanceId}`);
    if (opts.json) return printJson(ProcessInstanceSchema, instance);
    printInstance(instance);
  });

  withPlatformOptions(
    process_
      .command('cancel')
      .description('cancel an instance; its completed compensable steps are compensated first')
      .argument('<instance-id>', 'the id `ameide process start` printed')
      .option('--reason <text>', 'why (recorded with the cancellation)', '')
      .addHelpText(
        'after',
        '\nExample:\n  $ ameide process cancel 3f0c9a2e-6d0b-4c55-9a51-0d2b8e1f7a10 --reason "customer withdrew"',
      ),
  ).action(async (instanceId: string, opts: { reason: string }, cmd: Command) => {
    const client = await platformClient(cmd);
    await client.process.cancelProcess({ instanceId, reason: opts.reason });
    process.stderr.write(`cancellation of ${instanceId} requested\n`);
  });

  withPlatformOptions(
    process_
      .command('message')
      .description(
        'send a message: to the instance waiting for its name and key, or, when none waits, it starts every published process with a message start event of that name',
      )
      .argument('<name>', 'the message name (the BPMN message the catch or start event takes)')
      .argument('<correlation-key>', 'the key the waiting instance correlates on')
      .option('--payload <json>', 'the message payload as a JSON object', '{}')
      .option(
        '--message-id <id>',
        'identifies the message: sent again with the same id, it delivers and starts nothing again',
      )
      .option('--instance <instance-id>', 'deliver to this instance (kept until it waits for it)')
      .addOption(jsonOption())
      .addHelpText(
        'after',
        `\nExamples:\n  $ ameide process message PaymentReceived ORD-1042 --payload '{"paymentReference": "PAY-7"}'\n  $ ameide process message OrderReceived web-7 --message-id shop-7 --payload '{"orderRef": "web-7"}'`,
      ),
  ).action(
    async (
      name: string,
      correlationKey: string,
      opts: { payload: string; messageId?: string; instance?: string; json?: boolean },
      cmd: Command,
    ) => {
      const payload = jsonObject(opts.payload, '--payload');
      const client = await platformClient(cmd);
      const answer = await client.process.correlateMessage({
        messageName: name,
        correlationKey,
        payload,
        messageId: opts.messageId ?? '',
        instanceId: opts.instance ?? '',
      });
      if (opts.json) return printJson(CorrelateMessageResponseSchema, answer);
      for (const id of answer.instanceIds)
        process.stdout.write(`${answer.started ? 'started' : 'delivered to'} ${id}\n`);
    },
  );

  withPlatformOptions(
    process_
      .command('signal')
      .description(
        'broadcast a signal in your tenant: every instance waiting for it catches it, and every published process with a signal start event of that name starts, with the payload as its variables',
      )
      .argument('<name>', 'the signal name')
      .option('--payload <json>', 'variables of the instances it starts, as a JSON object', '{}')
      .addOption(jsonOption())
      .addHelpText(
        'after',
        `\nExample:\n  $ ameide process signal ProductRecall --payload '{"recalledProduct": "kettle K2"}'`,
      ),
  ).action(async (name: string, opts: { payload: string; json?: boolean }, cmd: Command) => {
    const payload = jsonObject(opts.payload, '--payload');
    const client = await platformClient(cmd);
    const answer = await client.process.broadcastSignal({ signalName: name, payload });
    if (opts.json) return printJson(BroadcastSignalResponseSchema, answer);
    process.stdout.write(
      `caught by ${answer.delivered} waiting instance${answer.delivered === 1 ? '' : 's'}\n`,
    );
    for (const id of answer.startedInstanceIds) process.stdout.write(`started ${id}\n`);
  });
}

/** Splits `instance-id:task-id` (task ids hold no `:`); `undefined` instance for a bare task id. */
function parseTaskRef(ref: string): { instanceId?: string; taskId: string } {
  const i = ref.lastIndexOf(':');
  return i > 0 ? { instanceId: ref.slice(0, i), taskId: ref.slice(i + 1) } : { taskId: ref };
}

/** `ameide task ...`: the caller's open user tasks. */
export function taskCommand(): Command {
  const task = new Command('task').description(
    'list and complete the user tasks of running process instances',
  );

  withPlatformOptions(
    task
      .command('list')
      .description(
        'open user tasks you may complete (you are the assignee or in a candidate group)',
      )
      .option('--instance <instance-id>', "only this instance's tasks")
      .addOption(jsonOption())
      .addHelpText(
        'after',
        '\nExample:\n  $ ameide task list\n  $ ameide task complete Task_ApproveOrder#5 --data \'{"approved": true}\'',
      ),
  ).action(async (opts: { instance?: string; json?: boolean }, cmd: Command) => {
    const client = await platformClient(cmd);
    const res = await client.process.listUserTasks({ instanceId: opts.instance ?? '' });
    if (opts.json) return printJson(ListUserTasksResponseSchema, res);
    if (res.tasks.length === 0) {
      process.stderr.write('no open user tasks\n');
      return;
    }
    printTable(
      ['TASK', 'INSTANCE', 'DEFINITION', 'TITLE', 'ASSIGNEE', 'GROUPS', 'CREATED', 'DUE'],
      res.tasks.map((t) => [
        t.taskId,
        t.instanceId,
        t.definitionName,
        t.title,
        t.assignee || '-',
        groups(t),
        formatTime(t.createdAt),
        formatTime(t.dueAt) || '-',
      ]),
    );
  });

  withPlatformOptions(
    task
      .command('complete')
      .description('complete a user task with form data (checked against the task form)')
      .argument(
        '<task>',
        'task id from `ameide task list`, or <instance-id>:<task-id> when a task id is ambiguous',
      )
      .option('--data <json>', 'form data as a JSON object', '{}')
      .addHelpText(
        'after',
        '\nExample:\n  $ ameide task complete Task_ApproveOrder#5 --data \'{"approved": true}\'\n  $ ameide task complete 3f0c9a2e-6d0b-4c55-9a51-0d2b8e1f7a10:Task_ApproveOrder#5 --data \'{"approved": false}\'',
      ),
  ).action(async (ref: string, opts: { data: string }, cmd: Command) => {
    const data = jsonObject(opts.data, '--data');
    const parsed = parseTaskRef(ref);
    const client = await platformClient(cmd);
    let instanceId = parsed.instanceId;
    if (instanceId === undefined) {
      const { tasks } = await client.process.listUserTasks({});
      const matches = tasks.filter((t) => t.taskId === parsed.taskId);
      if (matches.length === 0)
        throw new Error(
          `no open task ${parsed.taskId} that you may complete (see \`ameide task list\`)`,
        );
      if (matches.length > 1) {
        throw new Error(
          `task id ${parsed.taskId} is open in ${matches.length} instances; name one: ${matches.map((t) => `${t.instanceId}:${t.taskId}`).join(', ')}`,
        );
      }
      instanceId = matches[0]!.instanceId;
    }
    await client.process.completeUserTask({ instanceId, taskId: parsed.taskId, data });
    process.stderr.write(`completed ${parsed.taskId} of ${instanceId}\n`);
  });

  return task;
}
