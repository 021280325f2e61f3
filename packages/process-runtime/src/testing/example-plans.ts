import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileDecision } from '@ameide/decision';
import {
  compileProcessDefinition,
  createDefinitionResolver,
  importBpmn,
} from '@ameide/process-definition';
import { canonicalJson, sha256Hex, type ExecutionPlan } from '@ameide/process-definition/plan';
import { salesServiceRegistry } from '@ameide/process-definition/testing';

/** `examples/processes/` of the repository. */
export const EXAMPLES_DIR = fileURLToPath(
  new URL('../../../../examples/processes/', import.meta.url),
);

export interface CompiledPlan {
  readonly plan: ExecutionPlan;
  readonly json: string;
  readonly hash: string;
}

/** Compiles a ProcessDefinition (JSON or BPMN text) the way publishing does; throws on diagnostics. */
export async function compilePlan(source: string | object): Promise<CompiledPlan> {
  let definition: unknown = source;
  if (typeof source === 'string') {
    const imported = await importBpmn(source);
    if (!imported.ok) throw new Error(`import failed: ${JSON.stringify(imported.diagnostics)}`);
    definition = imported.definition;
  }
  const result = compileProcessDefinition(definition, {
    services: salesServiceRegistry,
    definitions: createDefinitionResolver({ 'credit-check': [1, 2], 'credit-limit-check': [1] }),
  });
  if (!result.ok) throw new Error(`compile failed: ${JSON.stringify(result.diagnostics)}`);
  return { plan: result.plan, json: result.json, hash: result.hash };
}

/** `examples/decisions/` of the repository. */
export const DECISIONS_DIR = fileURLToPath(
  new URL('../../../../examples/decisions/', import.meta.url),
);

/** Compiles `examples/decisions/<name>.dmn` the way publishing does; throws on lint errors. */
export async function compileDecisionExample(
  name: string,
): Promise<{ readonly json: string; readonly hash: string }> {
  return compileDmn(readFileSync(`${DECISIONS_DIR}${name}.dmn`, 'utf8'));
}

/** Compiles DMN XML; throws on lint errors. */
export async function compileDmn(
  xml: string,
): Promise<{ readonly json: string; readonly hash: string }> {
  const result = await compileDecision(xml);
  if (!result.ok)
    throw new Error(`decision did not compile: ${JSON.stringify(result.diagnostics)}`);
  return { json: result.json, hash: result.hash };
}

/** Compiles `examples/processes/<name>.bpmn`. */
export function compileExample(name: string): Promise<CompiledPlan> {
  return compilePlan(readFileSync(`${EXAMPLES_DIR}${name}.bpmn`, 'utf8'));
}

/**
 * Rewrites the plan's timers by their ISO source (`{ P2D: 2000 }` makes every `P2D` timer fire
 * after 2 s): the dev server has no time skipping, so tests shorten timers instead. Returns a
 * new canonical plan with its own hash.
 */
export function retime(
  compiled: CompiledPlan,
  bySource: Readonly<Record<string, number>>,
): CompiledPlan {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) as Record<
      string,
      unknown
    >;
    const ms = typeof o['source'] === 'string' ? bySource[o['source']] : undefined;
    if (ms !== undefined && o['type'] === 'duration') o['ms'] = ms;
    if (ms !== undefined && o['type'] === 'cycle') {
      o['intervalMs'] = ms;
      delete o['startEpochMs'];
    }
    return o;
  };
  const plan = walk(compiled.plan) as ExecutionPlan;
  const json = canonicalJson(plan);
  return { plan, json, hash: sha256Hex(new TextEncoder().encode(json)) };
}
