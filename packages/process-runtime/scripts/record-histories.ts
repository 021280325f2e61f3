// Regenerates `histories/*.json`: runs every example path of `src/examples/examples.int.test.ts`
// against a throw-away Temporal dev server and saves each finished instance's history, which
// `src/replay/replay.int.test.ts` replays against the current interpreter.
//
//   npx tsx packages/process-runtime/scripts/record-histories.ts [example ...]
//   npx prettier --write packages/process-runtime/histories
//
// Re-record only for new behaviour (a new example or path), never to make a replay failure pass:
// see "Patching rule" in the README.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startTemporalServer } from '@ameide/testing';
import { createScriptedAgentInvoker } from '../src/activities/agent-invoker.js';
import { historyToJson } from '../src/testing/history-json.js';
import {
  EXAMPLE_SCENARIOS,
  MANIFEST,
  historyFileName,
  publishExamples,
} from '../src/testing/example-scenarios.js';
import { startRuntimeFixture } from '../src/testing/runtime-fixture.js';

const dir = fileURLToPath(new URL('../histories/', import.meta.url));
const server = await startTemporalServer();
try {
  const rt = await startRuntimeFixture(server.address, 'record', {
    agents: createScriptedAgentInvoker((req) => `${req.agent} did ${req.nodeId}`),
  });
  try {
    await publishExamples(rt);
    await mkdir(dir, { recursive: true });
    // Standard history JSON has no workflow id, and the interpreter derives ids from it (child
    // workflows, idempotency keys): the manifest keeps each file's workflow id for the replay.
    // Recordings of older behaviour stay (see the README's patching rule): only this run's files
    // are overwritten.
    const manifest = (
      existsSync(`${dir}${MANIFEST}`) ? JSON.parse(await readFile(`${dir}${MANIFEST}`, 'utf8')) : {}
    ) as Record<string, string>;
    // Example names on the command line record only those examples, `<example>:<path>` only
    // that path of it (the others' files stay).
    const only = new Set(process.argv.slice(2));
    for (const scenario of EXAMPLE_SCENARIOS) {
      const named = only.has(scenario.example) || only.has(`${scenario.example}:${scenario.path}`);
      if (only.size > 0 && !named) continue;
      for (const { suffix, workflowId } of await scenario.run(rt)) {
        const history = await rt.temporal.workflow.getHandle(workflowId).fetchHistory();
        const file = historyFileName(scenario, suffix);
        await writeFile(`${dir}${file}`, `${JSON.stringify(historyToJson(history), null, 1)}\n`);
        manifest[file] = workflowId;
        console.log(`${file}: ${history.events?.length ?? 0} events`);
      }
    }
    await writeFile(`${dir}${MANIFEST}`, `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    await rt.close();
  }
} finally {
  await server.stop();
}
