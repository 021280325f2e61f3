import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileAgentDefinition, lintAgentDefinition } from '@ameide/agent-definition';

const example = JSON.parse(
  readFileSync(
    new URL('../../../../examples/agents/order-assistant.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

const base = {
  schemaVersion: 1,
  name: 'helper',
  model: { provider: 'scripted', name: 'script' },
  systemPrompt: 'Help.',
  tools: [{ name: 'get_order', rpc: 'ameide.sales.v1.OrderService/GetOrder', risk: 'read' }],
  scope: { services: ['ameide.sales.v1.OrderService'] },
  limits: { maxSteps: 4, maxToolCalls: 4, tokenBudget: 1000, timeoutMs: 10_000 },
};

function findings(patch: Record<string, unknown>) {
  return lintAgentDefinition({ ...base, ...patch }).violations.map(
    (v) => `${v.field}: ${v.description}`,
  );
}

describe('lintAgentDefinition', () => {
  it('accepts the shipped order assistant', () => {
    expect(lintAgentDefinition(example).violations).toEqual([]);
  });

  it('accepts every example agent (the ones ameide dev publishes), each named as its file', () => {
    const dir = new URL('../../../../examples/agents/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const content = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { name?: string };
      expect(lintAgentDefinition(content).violations, file).toEqual([]);
      expect(`${content.name}.json`).toBe(file);
    }
  });

  it('names the field of a schema violation (AGD001)', () => {
    expect(findings({ name: 'Order Helper' })).toEqual([
      'content.name: AGD001: lower-case letters, digits and dashes, starting with a letter',
    ]);
    expect(findings({ tools: [{ name: 't', rpc: 'x', risk: 'write' }] })).toHaveLength(2);
  });

  it('refuses unknown and streaming methods (AGD002)', () => {
    expect(
      findings({
        tools: [
          { name: 'nope', rpc: 'ameide.sales.v1.OrderService/Nope', risk: 'read' },
          { name: 'tail', rpc: 'ameide.events.v1.EventService/TailEvents', risk: 'read' },
        ],
        scope: { services: ['ameide.sales.v1.OrderService', 'ameide.events.v1.EventService'] },
      }),
    ).toEqual([
      'content.tools.0.rpc: AGD002: no RPC ameide.sales.v1.OrderService/Nope in the proto module',
      'content.tools.1.rpc: AGD002: ameide.events.v1.EventService/TailEvents is server_streaming; tools call unary RPCs',
    ]);
  });

  it('reads read/write from the proto: a write method marked read is refused (AGD003), a read method proposed too (AGD012)', () => {
    expect(
      findings({
        tools: [
          { name: 'confirm', rpc: 'ameide.sales.v1.OrderService/ConfirmOrder', risk: 'read' },
          { name: 'get', rpc: 'ameide.sales.v1.OrderService/GetOrder', risk: 'propose' },
        ],
      }),
    ).toEqual([
      'content.tools.0.risk: AGD003: ameide.sales.v1.OrderService/ConfirmOrder is not declared NO_SIDE_EFFECTS in its proto, so it may change data: mark the tool propose (or act)',
      'content.tools.1.risk: AGD012: ameide.sales.v1.OrderService/GetOrder is declared NO_SIDE_EFFECTS: there is nothing to propose; mark the tool read',
    ]);
  });

  it('refuses a method whose input has no tool schema (AGD004) and constraints on unknown fields (AGD005)', () => {
    expect(
      findings({
        tools: [
          {
            name: 'invoke',
            rpc: 'ameide.extensions.v1.ExtensionService/PutExtensionModule',
            risk: 'propose',
          },
          {
            name: 'get',
            rpc: 'ameide.sales.v1.OrderService/GetOrder',
            risk: 'read',
            constraints: { orderNumber: { maxLength: 3 } },
          },
        ],
        scope: {
          services: ['ameide.sales.v1.OrderService', 'ameide.extensions.v1.ExtensionService'],
        },
      }),
    ).toEqual([
      'content.tools.0.rpc: AGD004: no argument schema for ameide.extensions.v1.PutExtensionModuleRequest: module: bytes fields have no tool schema',
      "content.tools.1.constraints.orderNumber: AGD005: no field orderNumber in the method's input",
    ]);
  });

  it('refuses a looping graph without limits (AGD006) and limits above policy (AGD007)', () => {
    expect(findings({ limits: {} })).toEqual([
      'content.limits.maxSteps: AGD006: the graph loops (agent → tools → agent) and limits.maxSteps is not set: the run would be unbounded',
      'content.limits.maxToolCalls: AGD006: the graph loops (agent → tools → agent) and limits.maxToolCalls is not set: the run would be unbounded',
      'content.limits.tokenBudget: AGD006: the graph loops (agent → tools → agent) and limits.tokenBudget is not set: the run would be unbounded',
      'content.limits.timeoutMs: AGD006: the graph loops (agent → tools → agent) and limits.timeoutMs is not set: the run would be unbounded',
    ]);
    expect(findings({ limits: { ...base.limits, maxSteps: 500 } })).toEqual([
      "content.limits.maxSteps: AGD007: 500 is above the tenant policy's 50",
    ]);
  });

  it('a straight plan needs only a token budget and a timeout', () => {
    const plan = {
      kind: 'graph',
      entry: 'plan',
      nodes: [
        { id: 'plan', type: 'model', instructions: 'Plan.' },
        { id: 'call', type: 'tools' },
        { id: 'reflect', type: 'model' },
        { id: 'done', type: 'answer' },
      ],
      edges: [
        { from: 'plan', to: 'call' },
        { from: 'call', to: 'reflect' },
        { from: 'reflect', to: 'done' },
      ],
    };
    expect(findings({ graph: plan, limits: { tokenBudget: 10, timeoutMs: 10 } })).toEqual([]);
    expect(findings({ graph: { ...plan, edges: [{ from: 'plan', to: 'ghost' }] } })).toEqual([
      'content.graph.edges.0.to: AGD010: no node ghost',
      'content.graph: AGD010: no answer node is reachable from plan',
    ]);
  });

  it('refuses duplicate tools (AGD008), act without policy (AGD009) and tools outside the scope (AGD011)', () => {
    expect(
      findings({
        tools: [
          { name: 'get', rpc: 'ameide.sales.v1.OrderService/GetOrder', risk: 'read' },
          { name: 'get', rpc: 'ameide.sales.v1.OrderService/ListOrders', risk: 'read' },
          { name: 'confirm', rpc: 'ameide.sales.v1.OrderService/ConfirmOrder', risk: 'act' },
          { name: 'cust', rpc: 'ameide.sales.v1.CustomerService/GetCustomer', risk: 'read' },
        ],
      }),
    ).toEqual([
      'content.tools.1.name: AGD008: tool get is declared twice',
      'content.tools.2.risk: AGD009: tool confirm acts directly but policy.allowAct is false; make it propose, or allow act in the policy',
      'content.tools.3.rpc: AGD011: ameide.sales.v1.CustomerService is not in scope.services',
    ]);
  });
});

describe('compileAgentDefinition', () => {
  it('pins tool schemas derived from the proto, with constraints and bounded strings', () => {
    const r = compileAgentDefinition(example);
    if (!r.ok) throw new Error(JSON.stringify(r.violations));
    const propose = r.config.tools.find((t) => t.name === 'propose_order')!;
    expect(propose).toMatchObject({ risk: 'propose', readOnly: false });
    expect(propose.parameters).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['customerId', 'currency'],
      properties: {
        customerId: { type: 'string', maxLength: 64 },
        currency: { type: 'string', maxLength: 120, enum: ['EUR', 'USD', 'GBP'] },
      },
    });
    const withCredit = compileAgentDefinition({
      ...example,
      tools: [
        ...(example['tools'] as unknown[]),
        {
          name: 'check_credit',
          rpc: 'ameide.sales.v1.CustomerService/CheckCredit',
          risk: 'read',
        },
      ],
    });
    if (!withCredit.ok) throw new Error(JSON.stringify(withCredit.violations));
    const credit = withCredit.config.tools.find((t) => t.name === 'check_credit')!;
    expect(credit.parameters.properties?.['amount']).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        currency: { type: 'string', maxLength: 120 },
        amountMinor: { type: 'integer' },
      },
    });
    expect(r.calls).toEqual([
      'ameide.sales.v1.CustomerService/GetCustomer',
      'ameide.sales.v1.OrderService/CreateOrder',
    ]);
  });

  it('is deterministic: the same definition, in any key order, gives the same hash', () => {
    const a = compileAgentDefinition(example);
    const reordered = Object.fromEntries(Object.entries(example).reverse());
    const b = compileAgentDefinition(reordered);
    expect(a.ok && b.ok && a.hash === b.hash).toBe(true);
    const c = compileAgentDefinition({ ...example, systemPrompt: 'Other.' });
    expect(a.ok && c.ok && a.hash !== c.hash).toBe(true);
  });

  it('returns the lint findings instead of a config', () => {
    const r = compileAgentDefinition({ ...example, limits: {} });
    expect(r.ok).toBe(false);
  });
});
