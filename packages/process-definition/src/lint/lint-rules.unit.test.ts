import { describe, expect, it } from 'vitest';
import {
  createDefinitionResolver,
  lintProcessDefinition,
  lintRules,
  type LintOptions,
} from '@ameide/process-definition';
import { salesServiceRegistry } from '@ameide/process-definition/testing';

type Json = Record<string, unknown>;
const at = { position: { x: 0, y: 0 } };
const n = (id: string, type: string, data: Json = {}, extra: Json = {}): Json => ({
  id,
  type,
  ...at,
  data,
  ...extra,
});
const e = (id: string, source: string, target: string, data: Json = {}): Json => ({
  id,
  source,
  target,
  data,
});
const service = (method = 'CreateOrder'): Json => ({
  binding: { service: 'ameide.sales.v1.OrderService', method, input: '{ orderId: orderId }' },
});

/** Start → T (CreateOrder) → End: lint clean. */
function base(): { nodes: Json[]; edges: Json[]; variables: Json[] } & Json {
  return {
    schemaVersion: 1,
    id: 'fixture',
    variables: [{ name: 'orderId', type: 'string' }],
    nodes: [n('S', 'startEvent'), n('T', 'serviceTask', service()), n('E', 'endEvent')],
    edges: [e('F1', 'S', 'T'), e('F2', 'T', 'E')],
  };
}

/** Base with T → G (exclusive split) whose branches are built by the caller. */
function withGateway(type: string, branches: Json[], nodes: Json[]): ReturnType<typeof base> {
  const def = base();
  def.nodes.push(n('G', type), ...nodes);
  def.edges = [e('F1', 'S', 'T'), e('F2', 'T', 'G'), ...branches];
  return def;
}

interface Fixture {
  readonly code: string;
  readonly id: string;
  readonly build: () => unknown;
  readonly options?: LintOptions;
}

const fixtures: Fixture[] = [
  {
    code: 'AM000',
    id: 'T',
    build: () => {
      const def = base();
      def.nodes[1] = n('T', 'serviceTask', {
        binding: { service: 'ameide.sales.v1.OrderService' },
      });
      return def;
    },
  },
  {
    code: 'AM001',
    id: 'fixture',
    build: () => ({ ...base(), nodes: base().nodes.slice(1), edges: [e('F2', 'T', 'E')] }),
  },
  {
    code: 'AM002',
    id: 'S2',
    build: () => {
      const def = base();
      def.nodes.push(n('S2', 'startEvent'));
      def.edges.push(e('F3', 'S2', 'T'));
      return def;
    },
  },
  {
    code: 'AM003',
    id: 'S',
    build: () => {
      const def = base();
      def.nodes.push(n('G', 'exclusiveGateway'));
      def.edges = [
        e('F1', 'S', 'T'),
        e('F2', 'T', 'G'),
        e('F3', 'G', 'E', { isDefault: true }),
        e('F4', 'G', 'S', { condition: 'true' }),
      ];
      return def;
    },
  },
  {
    code: 'AM004',
    id: 'SubStart',
    build: () => {
      const def = base();
      def.nodes.push(
        n('Sub', 'subProcess'),
        n(
          'SubStart',
          'startEvent',
          { event: { type: 'timer', timer: { type: 'duration', value: 'PT1M' } } },
          { parentId: 'Sub' },
        ),
        n('SubEnd', 'endEvent', {}, { parentId: 'Sub' }),
      );
      def.edges = [
        e('F1', 'S', 'T'),
        e('F2', 'T', 'Sub'),
        e('F3', 'Sub', 'E'),
        e('F4', 'SubStart', 'SubEnd'),
      ];
      return def;
    },
  },
  {
    code: 'AM005',
    id: 'E',
    build: () => {
      const def = base();
      def.nodes.push(n('E2', 'endEvent'));
      def.edges.push(e('F3', 'E', 'E2'));
      return def;
    },
  },
  {
    code: 'AM006',
    id: 'U',
    build: () => {
      const def = base();
      def.nodes.push(n('U', 'serviceTask', service()));
      def.edges.push(e('F3', 'U', 'E'));
      return def;
    },
  },
  {
    code: 'AM007',
    id: 'U',
    build: () =>
      withGateway(
        'parallelGateway',
        [e('F3', 'G', 'E'), e('F4', 'G', 'U')],
        [n('U', 'serviceTask', service())],
      ),
  },
  {
    code: 'AM008',
    id: 'A',
    build: () =>
      withGateway(
        'exclusiveGateway',
        [
          e('F3', 'G', 'E', { isDefault: true }),
          e('F4', 'G', 'A', { condition: 'orderId = "x"' }),
          e('F5', 'A', 'B'),
          e('F6', 'B', 'A'),
        ],
        [n('A', 'serviceTask', service()), n('B', 'serviceTask', service())],
      ),
  },
  {
    code: 'AM009',
    id: 'T',
    build: () => {
      const def = base();
      def.edges.push(e('T', 'S', 'E'));
      return def;
    },
  },
  {
    code: 'AM010',
    id: 'F3',
    build: () => {
      const def = base();
      def.edges.push(e('F3', 'T', 'Missing'));
      return def;
    },
  },
  {
    code: 'AM011',
    id: 'E',
    build: () => {
      const def = base();
      def.nodes[2] = n('E', 'endEvent', {}, { parentId: 'T' });
      return def;
    },
  },
  {
    code: 'AM012',
    id: 'F3',
    build: () => {
      const def = base();
      def.nodes.push(
        n('Sub', 'subProcess'),
        n('SubStart', 'startEvent', {}, { parentId: 'Sub' }),
        n('SubEnd', 'endEvent', {}, { parentId: 'Sub' }),
      );
      def.edges = [
        e('F1', 'S', 'T'),
        e('F2', 'T', 'Sub'),
        e('F3', 'Sub', 'SubEnd'),
        e('F4', 'SubStart', 'E'),
      ];
      return def;
    },
  },
  {
    code: 'AM013',
    id: 'F4',
    build: () =>
      withGateway(
        'exclusiveGateway',
        [e('F3', 'G', 'E', { condition: 'orderId = "a"' }), e('F4', 'G', 'E2')],
        [n('E2', 'endEvent')],
      ),
  },
  {
    code: 'AM014',
    id: 'G',
    build: () =>
      withGateway(
        'exclusiveGateway',
        [e('F3', 'G', 'E', { isDefault: true }), e('F4', 'G', 'E2', { isDefault: true })],
        [n('E2', 'endEvent')],
      ),
  },
  {
    code: 'AM015',
    id: 'F2',
    build: () => {
      const def = base();
      def.edges[1] = e('F2', 'T', 'E', { condition: 'orderId != null' });
      return def;
    },
  },
  {
    code: 'AM016',
    id: 'F4',
    build: () =>
      withGateway(
        'eventBasedGateway',
        [e('F3', 'G', 'W'), e('F4', 'G', 'U'), e('F5', 'W', 'E'), e('F6', 'U', 'E')],
        [
          n('W', 'intermediateTimerEvent', { timer: { type: 'duration', value: 'PT1H' } }),
          n('U', 'serviceTask', service()),
        ],
      ),
  },
  {
    code: 'AM017',
    id: 'J',
    build: () =>
      withGateway(
        'exclusiveGateway',
        [
          e('F3', 'G', 'A', { condition: 'orderId = "a"' }),
          e('F4', 'G', 'B', { isDefault: true }),
          e('F5', 'A', 'J'),
          e('F6', 'B', 'J'),
          e('F7', 'J', 'E'),
        ],
        [
          n('A', 'serviceTask', service()),
          n('B', 'serviceTask', service()),
          n('J', 'parallelGateway'),
        ],
      ),
  },
  {
    code: 'AM018',
    id: 'J',
    build: () =>
      withGateway(
        'parallelGateway',
        [
          e('F3', 'G', 'A'),
          e('F4', 'G', 'B'),
          e('F5', 'A', 'J'),
          e('F6', 'B', 'J'),
          e('F7', 'J', 'E'),
        ],
        [
          n('A', 'serviceTask', service()),
          n('B', 'serviceTask', service()),
          n('J', 'exclusiveGateway'),
        ],
      ),
  },
  {
    code: 'AM019',
    id: 'T',
    build: () => {
      const def = base();
      def.nodes.push(n('E2', 'endEvent'));
      def.edges.push(e('F3', 'T', 'E2'));
      return def;
    },
  },
  {
    code: 'AM020',
    id: 'T',
    build: () => {
      const def = base();
      def.nodes[1] = n('T', 'serviceTask', {
        binding: {
          service: 'ameide.sales.v1.OrderService',
          method: 'CreateOrder',
          input: '{ orderId: }',
        },
      });
      return def;
    },
  },
  {
    code: 'AM021',
    id: 'W',
    build: () => {
      const def = base();
      def.nodes.push(
        n('W', 'intermediateTimerEvent', { timer: { type: 'duration', value: 'PT' } }),
      );
      def.edges = [e('F1', 'S', 'W'), e('F2', 'W', 'T'), e('F3', 'T', 'E')];
      return def;
    },
  },
  {
    code: 'AM022',
    id: 'B',
    build: () => {
      const def = base();
      def.nodes.push(
        n('B', 'boundaryEvent', {
          attachedTo: 'S',
          interrupting: true,
          event: { type: 'timer', timer: { type: 'duration', value: 'PT1H' } },
        }),
        n('E2', 'endEvent'),
      );
      def.edges.push(e('F3', 'B', 'E2'));
      return def;
    },
  },
  {
    code: 'AM023',
    id: 'B',
    build: () => {
      const def = base();
      def.nodes.push(
        n('B', 'boundaryEvent', { attachedTo: 'T', interrupting: false, event: { type: 'error' } }),
        n('E2', 'endEvent'),
      );
      def.edges.push(e('F3', 'B', 'E2'));
      return def;
    },
  },
  {
    code: 'AM024',
    id: 'T',
    build: () => {
      const def = base();
      def.nodes[1] = n('T', 'serviceTask');
      return def;
    },
  },
  {
    code: 'AM025',
    id: 'T',
    options: { services: salesServiceRegistry },
    build: () => {
      const def = base();
      def.nodes[1] = n('T', 'serviceTask', service('ShipOrder'));
      return def;
    },
  },
  {
    code: 'AM026',
    id: 'C',
    options: { definitions: createDefinitionResolver({ 'credit-check': [1] }) },
    build: () => {
      const def = base();
      def.nodes[1] = n('C', 'callActivity', {
        binding: { definition: 'credit-check', version: 2 },
      });
      def.edges = [e('F1', 'S', 'C'), e('F2', 'C', 'E')];
      return def;
    },
  },
  {
    code: 'AM032',
    id: 'EspStart',
    build: () => {
      const def = base();
      def.nodes.push(
        n('Esp', 'subProcess', { triggeredByEvent: true }),
        n('EspStart', 'startEvent', {}, { parentId: 'Esp' }),
        n('EspEnd', 'endEvent', {}, { parentId: 'Esp' }),
      );
      def.edges.push(e('FE', 'EspStart', 'EspEnd'));
      return def;
    },
  },
  {
    code: 'AM033',
    id: 'Esp',
    build: () => {
      const def = base();
      def.nodes.push(
        n('Esp', 'subProcess', { triggeredByEvent: true }),
        n('EspStart', 'startEvent', { event: { type: 'error' } }, { parentId: 'Esp' }),
        n('EspEnd', 'endEvent', {}, { parentId: 'Esp' }),
        n('After', 'endEvent'),
      );
      def.edges.push(e('FE', 'EspStart', 'EspEnd'), e('FA', 'Esp', 'After'));
      return def;
    },
  },
  {
    code: 'AM034',
    id: 'B',
    build: () => {
      const def = base();
      def.nodes[1] = n('T', 'serviceTask', service());
      def.nodes.push(
        n('B', 'boundaryEvent', {
          attachedTo: 'T',
          interrupting: true,
          event: { type: 'escalation', escalationCode: 'LATE' },
        }),
        n('BE', 'endEvent'),
      );
      def.edges = [e('F1', 'S', 'T'), e('F2', 'T', 'E'), e('F3', 'B', 'BE')];
      return def;
    },
  },
  {
    code: 'AM035',
    id: 'L',
    build: () => {
      const def = base();
      def.nodes[1] = n('L', 'intermediateThrowEvent', { event: { type: 'link', link: 'next' } });
      def.nodes.push(n('C', 'intermediateLinkEvent', { link: 'elsewhere' }));
      def.edges = [e('F1', 'S', 'L'), e('F2', 'C', 'E')];
      return def;
    },
  },
  {
    code: 'AM031',
    id: 'D',
    options: { decisions: createDefinitionResolver({ 'order-discount': [1] }) },
    build: () => {
      const def = base();
      def.nodes[1] = n('D', 'businessRuleTask', {
        binding: { decision: 'order-discounts', version: 'latest', resultVariable: 'discount' },
      });
      def.edges = [e('F1', 'S', 'D'), e('F2', 'D', 'E')];
      return def;
    },
  },
  {
    code: 'AM027',
    id: 'U',
    build: () => {
      const def = base();
      def.nodes[1] = n('U', 'userTask', {
        binding: {
          title: 'Approve',
          form: { type: 'object', properties: { approved: { type: 'bool' } } },
        },
      });
      def.edges = [e('F1', 'S', 'U'), e('F2', 'U', 'E')];
      return def;
    },
  },
  {
    code: 'AM028',
    id: 'M',
    build: () => {
      const def = base();
      def.nodes[1] = n('M', 'unsupported', { bpmnType: 'bpmn:ManualTask', name: 'Pack' });
      def.edges = [e('F1', 'S', 'M'), e('F2', 'M', 'E')];
      return def;
    },
  },
  {
    code: 'AM029',
    id: 'orderId',
    build: () => {
      const def = base();
      def.variables.push({ name: 'orderId', type: 'number' });
      return def;
    },
  },
  {
    code: 'AM030',
    id: 'E',
    build: () => {
      const def = base();
      def.nodes[2] = n('E', 'endEvent', { event: { type: 'compensate' } });
      return def;
    },
  },
  {
    code: 'AM040',
    id: 'F3',
    build: () => {
      const def = base();
      def.edges.push(e('F3', 'T', 'E'));
      return def;
    },
  },
  {
    code: 'AM041',
    id: 'T',
    build: () => {
      const def = base();
      def.nodes[1] = n('T', 'serviceTask', {
        ...service(),
        multiInstance: { inputCollection: 'orders', outputElement: 'response' },
      });
      return def;
    },
  },
  {
    code: 'AM042',
    id: 'F3',
    build: () => {
      // `product` is a FEEL built-in: unset, the condition compares the function with a string.
      const def = base();
      def.variables.push({ name: 'product', type: 'string' });
      def.nodes.push(n('G', 'exclusiveGateway'), n('E2', 'endEvent'));
      def.edges[1] = e('F2', 'T', 'G');
      def.edges.push(
        e('F3', 'G', 'E', { condition: 'product = "kettle"' }),
        e('F4', 'G', 'E2', { condition: 'not(product = "kettle") and count(orders) > 0' }),
      );
      return def;
    },
  },
];

describe('lint rule fixtures', () => {
  it('the base fixture is clean', () => {
    expect(lintProcessDefinition(base(), { services: salesServiceRegistry }).diagnostics).toEqual(
      [],
    );
  });

  it('covers every rule of the catalogue with a failing fixture', () => {
    expect(fixtures.map((f) => f.code).sort()).toEqual(lintRules.map((r) => r.code).sort());
  });

  it('has unique, stable codes', () => {
    const codes = lintRules.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of lintRules) {
      expect(r.code).toMatch(/^AM0\d\d$/);
      expect(r.title.length).toBeGreaterThan(10);
    }
  });

  it('reports a level without start once, not every node of it', () => {
    const def = fixtures.find((f) => f.code === 'AM001')!.build();
    expect(lintProcessDefinition(def).diagnostics.map((d) => d.code)).toEqual(['AM001']);
  });

  it.each(fixtures)('$code reports on $id', ({ code, id, build, options }) => {
    const { diagnostics } = lintProcessDefinition(build(), options);
    const rule = lintRules.find((r) => r.code === code)!;
    const hits = diagnostics.filter((d) => d.code === code);
    expect(hits.map((d) => d.elementId)).toContain(id);
    for (const d of hits) expect(d.severity).toBe(rule.severity);
  });
});

describe('lint and BPMN data references', () => {
  it('reports a data object or data store reference as unsupported (AM028), not as an unreachable or dead-end step', () => {
    const def = base();
    def.nodes.push(
      n('DO', 'unsupported', { bpmnType: 'bpmn:DataObjectReference', name: 'Order' }),
      n('DS', 'unsupported', { bpmnType: 'bpmn:DataStoreReference', name: 'Orders' }),
    );
    const found = lintProcessDefinition(def, { services: salesServiceRegistry }).diagnostics.map(
      (d) => `${d.code}:${d.elementId}`,
    );
    expect(found).toEqual(['AM028:DO', 'AM028:DS']);
    // A manual task left unconnected is still a step nobody reaches.
    def.nodes.push(n('M', 'unsupported', { bpmnType: 'bpmn:ManualTask' }));
    const codes = lintProcessDefinition(def, { services: salesServiceRegistry }).diagnostics.map(
      (d) => `${d.code}:${d.elementId}`,
    );
    expect(codes).toEqual(expect.arrayContaining(['AM006:M', 'AM007:M', 'AM028:M']));
  });
});

describe('lint details', () => {
  it('names the field of a schema error by path', () => {
    const def = fixtures.find((f) => f.code === 'AM000')!.build();
    const [d] = lintProcessDefinition(def).diagnostics;
    expect(d).toMatchObject({
      code: 'AM000',
      elementId: 'T',
      path: 'nodes[1].data.binding.method',
      field: 'binding.method',
    });
  });

  it('AM042 points at the name read as a value, not at built-ins called as functions', () => {
    const def = fixtures.find((f) => f.code === 'AM042')!.build();
    const hits = lintProcessDefinition(def, { services: salesServiceRegistry }).diagnostics;
    expect(hits.map((d) => [d.code, d.elementId, d.span?.start])).toEqual([
      ['AM042', 'F3', 0],
      ['AM042', 'F4', 4],
    ]);
    expect(hits[0]!.message).toBe(
      `'product' is a FEEL built-in function: wherever no variable 'product' is set, the expression reads the function, not null; rename the variable`,
    );
  });

  it('gives FEEL errors a position inside the expression', () => {
    const def = fixtures.find((f) => f.code === 'AM020')!.build();
    const d = lintProcessDefinition(def).diagnostics.find((x) => x.code === 'AM020')!;
    expect(d.path).toBe('nodes[1].data.binding.input');
    expect(d.span).toMatchObject({ line: 1, column: 12, start: 11 });
    expect(d.message).toContain('1:12');
  });

  it('reports ISO 8601 problems on due dates, timeouts and retry intervals', () => {
    const def = base();
    def.nodes[1] = n('T', 'serviceTask', {
      binding: {
        service: 'ameide.sales.v1.OrderService',
        method: 'CreateOrder',
        timeout: 'P1M',
        retry: { maxAttempts: 3, initialInterval: '5s', backoff: 2 },
      },
    });
    def.nodes.push(n('U', 'userTask', { binding: { due: '2026-13-01T00:00:00Z' } }));
    def.edges = [e('F1', 'S', 'T'), e('F2', 'T', 'U'), e('F3', 'U', 'E')];
    const found = lintProcessDefinition(def).diagnostics.filter((d) => d.code === 'AM021');
    expect(found.map((d) => d.field).sort()).toEqual([
      'binding.due',
      'binding.retry.initialInterval',
      'binding.timeout',
    ]);
  });

  it('does not report a deadlock for a proper parallel split and join', () => {
    const def = withGateway(
      'parallelGateway',
      [
        e('F3', 'G', 'A'),
        e('F4', 'G', 'B'),
        e('F5', 'A', 'J'),
        e('F6', 'B', 'J'),
        e('F7', 'J', 'E'),
      ],
      [
        n('A', 'serviceTask', service()),
        n('B', 'serviceTask', service()),
        n('J', 'parallelGateway'),
      ],
    );
    expect(lintProcessDefinition(def).diagnostics).toEqual([]);
  });

  it('sees the deadlock of an interrupting boundary path joined in parallel with the normal path', () => {
    const def = base();
    def.nodes.push(
      n('B', 'boundaryEvent', {
        attachedTo: 'T',
        interrupting: true,
        event: { type: 'timer', timer: { type: 'duration', value: 'PT1H' } },
      }),
      n('J', 'parallelGateway'),
    );
    def.edges = [e('F1', 'S', 'T'), e('F2', 'T', 'J'), e('F3', 'B', 'J'), e('F4', 'J', 'E')];
    expect(lintProcessDefinition(def).diagnostics.map((d) => `${d.code}:${d.elementId}`)).toEqual([
      'AM017:J',
    ]);
  });

  it('follows link events: a branch that reaches the join through a link still counts (AM017, AM018)', () => {
    // G's outcome A jumps through the link `toJoin` to J; outcome B reaches J directly.
    const linked = (split: string, join: string) =>
      withGateway(
        split,
        [
          e('F3', 'G', 'A', split === 'exclusiveGateway' ? { condition: 'orderId = "a"' } : {}),
          e('F4', 'G', 'B', split === 'exclusiveGateway' ? { isDefault: true } : {}),
          e('F5', 'A', 'Throw'),
          e('F6', 'Catch', 'J'),
          e('F7', 'B', 'J'),
          e('F8', 'J', 'E'),
        ],
        [
          n('A', 'serviceTask', service()),
          n('B', 'serviceTask', service()),
          n('Throw', 'intermediateThrowEvent', { event: { type: 'link', link: 'toJoin' } }),
          n('Catch', 'intermediateLinkEvent', { link: 'toJoin' }),
          n('J', join),
        ],
      );
    const codes = (def: unknown) =>
      lintProcessDefinition(def).diagnostics.map((d) => `${d.code}:${d.elementId}`);
    expect(codes(linked('exclusiveGateway', 'parallelGateway'))).toEqual(['AM017:J']);
    expect(codes(linked('parallelGateway', 'exclusiveGateway'))).toEqual(['AM018:J']);
    // Split and join of the same kind stay clean through the link.
    expect(codes(linked('parallelGateway', 'parallelGateway'))).toEqual([]);
  });

  it('reports a throwing registry as a diagnostic instead of crashing', () => {
    const services = {
      hasMethod: () => {
        throw new Error('registry offline');
      },
    };
    const d = lintProcessDefinition(base(), { services }).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: 'AM025', severity: 'error' });
    expect(d[0]!.message).toContain('registry offline');
  });

  it('lints a JSON string and garbage without throwing', () => {
    expect(lintProcessDefinition(JSON.stringify(base())).errorCount).toBe(0);
    for (const garbage of [null, 42, 'not json', [], { nodes: 'x' }]) {
      const result = lintProcessDefinition(garbage);
      expect(result.errorCount).toBeGreaterThan(0);
      expect(result.diagnostics.every((d) => d.code === 'AM000')).toBe(true);
    }
  });
});

describe('lint judges each level on its own', () => {
  /** Start → SP → End, where SP holds IS → IT → IE. */
  function withSubProcess(): ReturnType<typeof base> {
    const def = base();
    def.nodes = [
      n('S', 'startEvent'),
      n('SP', 'subProcess'),
      n('IS', 'startEvent', {}, { parentId: 'SP' }),
      n('IT', 'serviceTask', service(), { parentId: 'SP' }),
      n('IE', 'endEvent', {}, { parentId: 'SP' }),
      n('E', 'endEvent'),
    ];
    def.edges = [e('F1', 'S', 'SP'), e('F2', 'SP', 'E'), e('F3', 'IS', 'IT'), e('F4', 'IT', 'IE')];
    return def;
  }
  const codes = (def: unknown): string[] =>
    lintProcessDefinition(def, { services: salesServiceRegistry }).diagnostics.map(
      (d) => `${d.code}:${d.elementId}`,
    );

  it('reports a step inside a subProcess that its start does not reach, even when the process has no start event', () => {
    const def = withSubProcess();
    def.edges = def.edges.filter((x) => x.id !== 'F3');
    expect(codes(def)).toEqual(expect.arrayContaining(['AM006:IT', 'AM007:IS']));
    def.nodes = def.nodes.filter((x) => x.id !== 'S');
    def.edges = def.edges.filter((x) => x.id !== 'F1');
    expect(codes(def)).toEqual(expect.arrayContaining(['AM001:fixture', 'AM006:IT', 'AM007:IS']));
  });

  it('reports an unreachable subProcess once when its inside is sound', () => {
    const def = withSubProcess();
    def.edges = def.edges.filter((x) => x.id !== 'F1');
    def.edges.push(e('F1', 'S', 'E'));
    expect(codes(def).filter((c) => c.startsWith('AM006'))).toEqual(['AM006:SP']);
  });
});
