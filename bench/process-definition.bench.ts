import { hasRpc } from '@ameide/proto';
import {
  compileProcessDefinition,
  exportBpmn,
  importBpmnCollaboration,
  lintProcessDefinition,
  type ProcessDefinition,
} from '@ameide/process-definition';
import { generateProcessDefinition } from '@ameide/process-definition/testing';
import { medianMs, report } from './lib/measure.js';

const services = { hasMethod: hasRpc };
// A 5,000-node plan is ~1.8 MB, over the 1 MiB production limit; the benchmark
// measures compiler speed, so it lifts the limit.
const options = { services, maxPlanBytes: 16 * 1024 * 1024 };

/**
 * Lint + compile of generated definitions of 1,000 and 5,000 nodes: the
 * 5k/1k ratio (near-linear means <= 6) and compile vs JSON.parse+stringify of
 * the same document (the floor of any compiler of this input).
 */
export async function benchProcessDefinition(): Promise<void> {
  const times: Record<number, { lint: number; compile: number; json: number }> = {};
  for (const n of [1000, 5000]) {
    const text = JSON.stringify(generateProcessDefinition(n, 42));
    const compiled = compileProcessDefinition(JSON.parse(text) as unknown, options);
    if (!compiled.ok)
      throw new Error(
        `generated ${n}-node definition does not compile: ${compiled.diagnostics[0]?.message}`,
      );
    for (let i = 0; i < 3; i++) compileProcessDefinition(JSON.parse(text) as unknown, options); // warm up the JIT
    const lint = await medianMs(
      () => lintProcessDefinition(JSON.parse(text) as unknown, { services }),
      5,
    );
    const compile = await medianMs(
      () => compileProcessDefinition(JSON.parse(text) as unknown, options),
      5,
    );
    const json = await medianMs(() => JSON.stringify(JSON.parse(text)), 9);
    times[n] = { lint, compile, json };
    report(`lint, ${n} nodes`, lint, 'ms', lint / json, 'JSON.parse+stringify');
    report(`lint + compile, ${n} nodes`, compile, 'ms', compile / json, 'JSON.parse+stringify');
  }
  report(
    'lint + compile 5k vs 1k',
    times[5000]!.compile,
    'ms',
    times[5000]!.compile / times[1000]!.compile,
    '1,000 nodes (goal <= 6)',
  );
  await benchCollaboration();
}

/**
 * A 5,000-node collaboration: five generated 1,000-node processes written as one BPMN document
 * and imported back (one definition per process), then each linted and compiled; against
 * JSON.parse+stringify of the same definitions (issue 17's figure).
 */
async function benchCollaboration(): Promise<void> {
  const processes = Array.from({ length: 5 }, (_, i) =>
    prefixed(generateProcessDefinition(1000, 100 + i), `p${i + 1}_`),
  );
  const xml = await exportBpmn({ definitions: processes });
  const imported = await importBpmnCollaboration(xml);
  if (!imported.ok)
    throw new Error(`the collaboration does not import: ${imported.diagnostics[0]?.message}`);
  const nodes = imported.definitions.reduce((sum, d) => sum + d.nodes.length, 0);
  const text = JSON.stringify(imported.definitions);
  const compileAll = (): void => {
    for (const d of JSON.parse(text) as unknown[]) {
      const compiled = compileProcessDefinition(d, options);
      if (!compiled.ok) throw new Error(`does not compile: ${compiled.diagnostics[0]?.message}`);
    }
  };
  for (let i = 0; i < 2; i++) compileAll(); // warm up the JIT
  const compile = await medianMs(compileAll, 5);
  const json = await medianMs(() => JSON.stringify(JSON.parse(text)), 9);
  report(
    `lint + compile, collaboration of 5 processes (${nodes} nodes)`,
    compile,
    'ms',
    compile / json,
    'JSON.parse+stringify',
  );
}

/** `def` with every id prefixed (ids must be unique across a BPMN document). */
function prefixed(def: ProcessDefinition, prefix: string): ProcessDefinition {
  const id = (x: string): string => `${prefix}${x}`;
  return {
    ...def,
    id: id(def.id),
    lanes: def.lanes.map((l) => ({ ...l, id: id(l.id), nodeIds: l.nodeIds.map(id) })),
    nodes: def.nodes.map((n) => ({
      ...n,
      id: id(n.id),
      ...(n.parentId !== undefined ? { parentId: id(n.parentId) } : {}),
      ...(n.type === 'boundaryEvent'
        ? { data: { ...n.data, attachedTo: id(n.data.attachedTo) } }
        : {}),
    })) as ProcessDefinition['nodes'],
    edges: def.edges.map((e) => ({
      ...e,
      id: id(e.id),
      source: id(e.source),
      target: id(e.target),
    })),
  };
}
