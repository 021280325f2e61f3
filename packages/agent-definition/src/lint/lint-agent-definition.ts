import type { FieldViolation } from '@ameide/errors';
import {
  AGENT_POLICY,
  agentDefinitionSchema,
  type AgentDefinition,
} from '../model/agent-definition.js';
import { methodInfo } from '../tools/method-metadata.js';
import { messageJsonSchema, SchemaUnavailable } from '../tools/tool-schema.js';
import { applyConstraints, UnknownArgument } from '../tools/tool-parameters.js';
import { graphOf, findCycle, reachable } from '../model/agent-graph.js';
import { AgentDefinitionRule as R } from './agent-definition-rule.js';

/** One finding: a rule code and the field (`content.<path>`) it is about. */
export interface AgentDefinitionViolation extends FieldViolation {
  readonly rule: string;
}

/** The result of {@link lintAgentDefinition}: the definition only when nothing was found. */
export interface AgentLintResult {
  readonly definition: AgentDefinition | undefined;
  readonly violations: readonly AgentDefinitionViolation[];
}

/** Services an agent may never call as a tool (it would run agents from agents without a bound). */
const FORBIDDEN_SERVICES = new Set(['ameide.agents.v1.AgentService']);

/**
 * Checks an AgentDefinition (a JSON value): the schema, then every tool against the proto
 * module's descriptors (method exists and is unary; `read` only for NO_SIDE_EFFECTS methods;
 * an argument schema derivable; constraints on real fields), the scope, the policy, the
 * graph and the limits. Findings carry rule codes AGD001–AGD012.
 */
export function lintAgentDefinition(value: unknown): AgentLintResult {
  const parsed = agentDefinitionSchema.safeParse(value);
  if (!parsed.success) {
    return {
      definition: undefined,
      violations: parsed.error.issues.map((i) => ({
        rule: R.Schema,
        field: ['content', ...i.path.map(String)].join('.'),
        description: `${R.Schema}: ${i.message}`,
      })),
    };
  }
  const d = parsed.data;
  const out: AgentDefinitionViolation[] = [];
  const add = (rule: string, field: string, description: string) =>
    out.push({ rule, field: `content.${field}`, description: `${rule}: ${description}` });

  const names = new Set<string>();
  d.tools.forEach((t, i) => {
    const at = `tools.${i}`;
    if (names.has(t.name)) add(R.DuplicateTool, `${at}.name`, `tool ${t.name} is declared twice`);
    names.add(t.name);
    const info = methodInfo(t.rpc);
    if (!info) {
      add(R.UnknownMethod, `${at}.rpc`, `no RPC ${t.rpc} in the proto module`);
      return;
    }
    if (!info.unary) {
      add(
        R.UnknownMethod,
        `${at}.rpc`,
        `${t.rpc} is ${info.method.methodKind}; tools call unary RPCs`,
      );
      return;
    }
    if (FORBIDDEN_SERVICES.has(info.service)) {
      add(R.UnknownMethod, `${at}.rpc`, `${t.rpc}: an agent may not call the agent service`);
      return;
    }
    if (t.risk === 'read' && !info.readOnly) {
      add(
        R.WriteMarkedRead,
        `${at}.risk`,
        `${t.rpc} is not declared NO_SIDE_EFFECTS in its proto, so it may change data: mark the tool propose (or act)`,
      );
    }
    if (t.risk === 'propose' && info.readOnly) {
      add(
        R.PointlessProposal,
        `${at}.risk`,
        `${t.rpc} is declared NO_SIDE_EFFECTS: there is nothing to propose; mark the tool read`,
      );
    }
    if (t.risk === 'act' && !d.policy.allowAct) {
      add(
        R.ActNotAllowed,
        `${at}.risk`,
        `tool ${t.name} acts directly but policy.allowAct is false; make it propose, or allow act in the policy`,
      );
    }
    if (!d.scope.services.includes(info.service)) {
      add(R.OutOfScope, `${at}.rpc`, `${info.service} is not in scope.services`);
    }
    let schema;
    try {
      schema = messageJsonSchema(info.method.input);
    } catch (err) {
      if (!(err instanceof SchemaUnavailable)) throw err;
      add(
        R.MissingSchema,
        `${at}.rpc`,
        `no argument schema for ${info.method.input.typeName}: ${err.message}`,
      );
      return;
    }
    try {
      applyConstraints(schema, t.constraints);
    } catch (err) {
      if (!(err instanceof UnknownArgument)) throw err;
      add(R.UnknownArgument, `${at}.constraints.${err.argument.split(' ')[0]}`, err.message);
    }
  });

  // The graph.
  const g = graphOf(d.graph);
  const ids = new Set(g.nodes.map((n) => n.id));
  if (d.graph.kind === 'graph') {
    if (!ids.has(d.graph.entry)) add(R.InvalidGraph, 'graph.entry', `no node ${d.graph.entry}`);
    const seen = new Set<string>();
    d.graph.nodes.forEach((n, i) => {
      if (seen.has(n.id))
        add(R.InvalidGraph, `graph.nodes.${i}.id`, `node ${n.id} is declared twice`);
      seen.add(n.id);
      if (n.type === 'tools' && d.tools.length === 0)
        add(R.InvalidGraph, `graph.nodes.${i}.type`, 'a tools node in an agent without tools');
    });
    d.graph.edges.forEach((e, i) => {
      if (!ids.has(e.from)) add(R.InvalidGraph, `graph.edges.${i}.from`, `no node ${e.from}`);
      if (!ids.has(e.to)) add(R.InvalidGraph, `graph.edges.${i}.to`, `no node ${e.to}`);
    });
    if (ids.has(d.graph.entry)) {
      const r = reachable(g);
      if (!g.nodes.some((n) => n.type === 'answer' && r.has(n.id)))
        add(R.InvalidGraph, 'graph', `no answer node is reachable from ${d.graph.entry}`);
    }
  }

  // Limits: a loop, or a model that may keep asking for tools, needs every bound.
  const cycle = findCycle(g);
  const limits = d.limits;
  const required: (keyof typeof AGENT_POLICY)[] = cycle
    ? ['maxSteps', 'maxToolCalls', 'tokenBudget', 'timeoutMs']
    : ['tokenBudget', 'timeoutMs'];
  for (const key of required) {
    if (limits[key] === undefined) {
      add(
        R.UnboundedLoop,
        `limits.${key}`,
        cycle
          ? `the graph loops (${cycle.join(' → ')}) and limits.${key} is not set: the run would be unbounded`
          : `limits.${key} is not set: every run needs it`,
      );
    }
  }
  for (const key of Object.keys(AGENT_POLICY) as (keyof typeof AGENT_POLICY)[]) {
    const v = limits[key];
    if (v !== undefined && v > AGENT_POLICY[key])
      add(
        R.LimitAbovePolicy,
        `limits.${key}`,
        `${v} is above the tenant policy's ${AGENT_POLICY[key]}`,
      );
  }
  return { definition: out.length === 0 ? d : undefined, violations: out };
}
