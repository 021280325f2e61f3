import { createModdle, type ModdleElement } from '../bpmn/moddle.js';

/** Small fast PRNG (mulberry32): the same seed gives the same document. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NS = {
  zeebe: 'http://camunda.org/schema/zeebe/1.0',
  camunda: 'http://camunda.org/schema/1.0/bpmn',
  signavio: 'http://www.signavio.com',
} as const;

export interface GenerateBpmnCollaborationOptions {
  /** Flow nodes per process, about (default 8). */
  readonly nodesPerProcess?: number;
  /** Processes, each in its own pool (default 1–3, from the seed). */
  readonly processes?: number;
}

/**
 * Builds a BPMN 2.0 collaboration the way other modelling tools write them, deterministic in
 * `seed`: pools with and without a process, lanes (some nested), tasks of every kind, gateways,
 * boundary timers, an expanded subProcess, message flows between pools, text annotations and
 * associations, groups with category values, data objects, data stores and their data
 * associations, label bounds, and extension elements and attributes of Camunda 7/8 and
 * Signavio. Full BPMN DI. For round-trip property tests and benchmarks.
 */
export async function generateBpmnCollaboration(
  seed: number,
  options: GenerateBpmnCollaborationOptions = {},
): Promise<string> {
  const random = prng(seed);
  const chance = (p: number): boolean => random() < p;
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const moddle = createModdle();
  let counter = 0;
  const id = (prefix: string): string => `${prefix}_${(++counter).toString(36)}${int(0, 9)}`;
  const create = (type: string, props: Record<string, unknown> = {}): ModdleElement =>
    moddle.create(type, props);
  const any = (ns: keyof typeof NS, name: string, props: Record<string, unknown> = {}) =>
    moddle.createAny(`${ns}:${name}`, NS[ns], props);
  const bounds = (x: number, y: number, width: number, height: number) =>
    create('dc:Bounds', { x, y, width, height });
  const label = (x: number, y: number) =>
    create('bpmndi:BPMNLabel', { bounds: bounds(x, y, int(20, 90), 14) });
  const push = (el: ModdleElement, property: string, value: ModdleElement): void => {
    const list = el.get(property) as ModdleElement[];
    list.push(value);
  };

  const rootElements: ModdleElement[] = [];
  const planeElements: ModdleElement[] = [];
  const messageFlowEnds: { el: ModdleElement; x: number; y: number; pool: number }[] = [];
  const poolShapes: { el: ModdleElement; x: number; y: number; w: number; h: number }[] = [];
  const messages: ModdleElement[] = [];
  const message = (): ModdleElement => {
    if (messages.length > 0 && chance(0.4)) return pick(messages);
    const m = create('bpmn:Message', { id: id('Message'), name: `message-${messages.length}` });
    if (chance(0.5)) {
      m.extensionElements = create('bpmn:ExtensionElements', {
        values: [any('zeebe', 'subscription', { correlationKey: '=orderId' })],
      });
    }
    messages.push(m);
    rootElements.push(m);
    return m;
  };
  const foreign = (el: ModdleElement): void => {
    const values: ModdleElement[] = [];
    if (chance(0.3)) values.push(any('zeebe', 'taskDefinition', { type: `job-${int(1, 9)}` }));
    if (chance(0.2)) {
      values.push(
        any('camunda', 'properties', {
          $children: [any('camunda', 'property', { name: 'team', value: 'ops' })],
        }),
      );
    }
    if (chance(0.2))
      values.push(
        any('signavio', 'signavioMetaData', { metaKey: 'bgcolor', metaValue: '#ffffcc' }),
      );
    if (values.length > 0) el.extensionElements = create('bpmn:ExtensionElements', { values });
    if (chance(0.15)) el.$attrs!['camunda:asyncBefore'] = 'true';
  };

  const processCount = options.processes ?? int(1, 3);
  const perProcess = options.nodesPerProcess ?? 8;
  const participants: ModdleElement[] = [];
  const collaborationArtifacts: ModdleElement[] = [];
  let poolY = 0;
  for (let p = 0; p < processCount; p++) {
    const process = create('bpmn:Process', {
      id: id('Process'),
      isExecutable: chance(0.7),
      ...(chance(0.7) ? { name: `Process ${p}` } : {}),
    });
    foreign(process);
    rootElements.push(process);
    const participant = create('bpmn:Participant', {
      id: id('Participant'),
      name: `Pool ${p}`,
      processRef: process,
    });
    participants.push(participant);
    const laneCount = chance(0.5) ? int(1, 3) : 0;
    const poolHeight = 260 + laneCount * 40;
    const y0 = poolY;
    const nodeShapes: { el: ModdleElement; x: number; y: number; w: number; h: number }[] = [];
    const flows: ModdleElement[] = [];
    const addNode = (
      el: ModdleElement,
      x: number,
      y: number,
      w: number,
      h: number,
      container: ModdleElement = process,
    ): void => {
      push(container, 'flowElements', el);
      const shape = create('bpmndi:BPMNShape', {
        id: `${String(el.id)}_di`,
        bpmnElement: el,
        bounds: bounds(x, y, w, h),
      });
      if (el.$type.endsWith('Event') || el.$type.endsWith('Gateway')) {
        if (chance(0.6)) shape.label = label(x - 10, y + h + 7);
      }
      if (el.$type === 'bpmn:ExclusiveGateway') shape.isMarkerVisible = true;
      if (el.$type === 'bpmn:SubProcess') shape.isExpanded = true;
      planeElements.push(shape);
      if (container === process) nodeShapes.push({ el, x, y, w, h });
    };
    const connect = (
      source: ModdleElement,
      target: ModdleElement,
      points: [number, number][],
      container: ModdleElement = process,
    ): ModdleElement => {
      const flow = create('bpmn:SequenceFlow', {
        id: id('Flow'),
        sourceRef: source,
        targetRef: target,
      });
      if (chance(0.2)) flow.name = pick(['yes', 'no', 'ok', 'later']);
      push(source, 'outgoing', flow);
      push(target, 'incoming', flow);
      push(container, 'flowElements', flow);
      const edge = create('bpmndi:BPMNEdge', {
        id: `${String(flow.id)}_di`,
        bpmnElement: flow,
        waypoint: points.map(([x, y]) => create('dc:Point', { x, y })),
      });
      if (flow.name !== undefined) edge.label = label(points[0]![0] + 5, points[0]![1] - 20);
      planeElements.push(edge);
      if (container === process) flows.push(flow);
      return flow;
    };

    const midY = y0 + poolHeight / 2;
    let x = 80;
    const start = create('bpmn:StartEvent', { id: id('StartEvent'), name: 'Start' });
    if (chance(0.4))
      start.eventDefinitions = [
        create('bpmn:MessageEventDefinition', {
          id: id('MessageEventDefinition'),
          messageRef: message(),
        }),
      ];
    addNode(start, x, midY - 18, 36, 36);
    let previous = { el: start, right: x + 36 };
    const taskTypes = [
      'bpmn:ServiceTask',
      'bpmn:UserTask',
      'bpmn:ManualTask',
      'bpmn:SendTask',
      'bpmn:ReceiveTask',
      'bpmn:Task',
      'bpmn:ScriptTask',
      'bpmn:BusinessRuleTask',
    ];
    const tasks: { el: ModdleElement; x: number; y: number }[] = [];
    for (let i = 0; i < perProcess; i++) {
      x = previous.right + 60;
      const kind = random();
      if (kind < 0.6) {
        const type = pick(taskTypes);
        const task = create(type, { id: id('Activity'), name: `Step ${i}` });
        if (type === 'bpmn:ScriptTask' && chance(0.5)) {
          task.extensionElements = create('bpmn:ExtensionElements', {
            values: [any('zeebe', 'script', { expression: '=1 + 1', resultVariable: 'two' })],
          });
        } else foreign(task);
        addNode(task, x, midY - 40, 100, 80);
        connect(previous.el, task, [
          [previous.right, midY],
          [x, midY],
        ]);
        tasks.push({ el: task, x, y: midY - 40 });
        messageFlowEnds.push({ el: task, x: x + 50, y: midY - 40, pool: p });
        if (chance(0.2)) {
          const boundary = create('bpmn:BoundaryEvent', {
            id: id('Event'),
            attachedToRef: task,
            cancelActivity: chance(0.5),
            eventDefinitions: [
              create('bpmn:TimerEventDefinition', {
                id: id('TimerEventDefinition'),
                timeDuration: create('bpmn:FormalExpression', { body: 'PT1H' }),
              }),
            ],
          });
          addNode(boundary, x + 62, midY + 22, 36, 36);
          const end = create('bpmn:EndEvent', { id: id('Event') });
          addNode(end, x + 62, midY + 90, 36, 36);
          connect(boundary, end, [
            [x + 80, midY + 58],
            [x + 80, midY + 90],
          ]);
        }
        previous = { el: task, right: x + 100 };
      } else if (kind < 0.75) {
        const split = create('bpmn:ExclusiveGateway', { id: id('Gateway'), name: 'Which?' });
        addNode(split, x, midY - 25, 50, 50);
        connect(previous.el, split, [
          [previous.right, midY],
          [x, midY],
        ]);
        const a = create('bpmn:Task', { id: id('Activity'), name: 'Branch A' });
        const b = create('bpmn:Task', { id: id('Activity'), name: 'Branch B' });
        addNode(a, x + 100, midY - 100, 100, 80);
        addNode(b, x + 100, midY + 20, 100, 80);
        const toA = connect(split, a, [
          [x + 25, midY - 25],
          [x + 25, midY - 60],
          [x + 100, midY - 60],
        ]);
        connect(split, b, [
          [x + 25, midY + 25],
          [x + 25, midY + 60],
          [x + 100, midY + 60],
        ]);
        toA.conditionExpression = create('bpmn:FormalExpression', { body: '=amount > 10' });
        if (chance(0.5)) split.default = flows[flows.length - 1];
        const join = create('bpmn:ExclusiveGateway', { id: id('Gateway') });
        addNode(join, x + 250, midY - 25, 50, 50);
        connect(a, join, [
          [x + 200, midY - 60],
          [x + 275, midY - 60],
          [x + 275, midY - 25],
        ]);
        connect(b, join, [
          [x + 200, midY + 60],
          [x + 275, midY + 60],
          [x + 275, midY + 25],
        ]);
        previous = { el: join, right: x + 300 };
      } else if (kind < 0.88) {
        const event = create('bpmn:IntermediateCatchEvent', { id: id('Event'), name: 'Wait' });
        event.eventDefinitions = [
          chance(0.5)
            ? create('bpmn:MessageEventDefinition', {
                id: id('MessageEventDefinition'),
                messageRef: message(),
              })
            : create('bpmn:TimerEventDefinition', {
                id: id('TimerEventDefinition'),
                timeDuration: create('bpmn:FormalExpression', { body: 'PT5M' }),
              }),
        ];
        addNode(event, x, midY - 18, 36, 36);
        connect(previous.el, event, [
          [previous.right, midY],
          [x, midY],
        ]);
        messageFlowEnds.push({ el: event, x: x + 18, y: midY - 18, pool: p });
        previous = { el: event, right: x + 36 };
      } else {
        const sub = create('bpmn:SubProcess', { id: id('Activity'), name: 'Sub' });
        addNode(sub, x, midY - 60, 300, 120);
        const s = create('bpmn:StartEvent', { id: id('Event') });
        const t = create('bpmn:UserTask', { id: id('Activity'), name: 'Inside' });
        const e = create('bpmn:EndEvent', { id: id('Event') });
        addNode(s, x + 20, midY - 18, 36, 36, sub);
        addNode(t, x + 100, midY - 40, 100, 80, sub);
        addNode(e, x + 240, midY - 18, 36, 36, sub);
        connect(
          s,
          t,
          [
            [x + 56, midY],
            [x + 100, midY],
          ],
          sub,
        );
        connect(
          t,
          e,
          [
            [x + 200, midY],
            [x + 240, midY],
          ],
          sub,
        );
        connect(previous.el, sub, [
          [previous.right, midY],
          [x, midY],
        ]);
        previous = { el: sub, right: x + 300 };
      }
    }
    x = previous.right + 60;
    const end = create('bpmn:EndEvent', { id: id('Event'), name: 'Done' });
    if (chance(0.3))
      end.eventDefinitions = [
        create('bpmn:TerminateEventDefinition', { id: id('TerminateEventDefinition') }),
      ];
    addNode(end, x, midY - 18, 36, 36);
    connect(previous.el, end, [
      [previous.right, midY],
      [x, midY],
    ]);
    const poolWidth = x + 120;

    // Artifacts and data.
    const host = tasks.length > 0 ? pick(tasks) : undefined;
    if (host && chance(0.7)) {
      const note = create('bpmn:TextAnnotation', {
        id: id('TextAnnotation'),
        text: 'Checked by the auditors',
      });
      push(process, 'artifacts', note);
      planeElements.push(
        create('bpmndi:BPMNShape', {
          id: `${String(note.id)}_di`,
          bpmnElement: note,
          bounds: bounds(host.x + 60, y0 + 10, 120, 30),
        }),
      );
      const association = create('bpmn:Association', {
        id: id('Association'),
        sourceRef: host.el,
        targetRef: note,
        ...(chance(0.3) ? { associationDirection: 'One' } : {}),
      });
      push(process, 'artifacts', association);
      planeElements.push(
        create('bpmndi:BPMNEdge', {
          id: `${String(association.id)}_di`,
          bpmnElement: association,
          waypoint: [
            create('dc:Point', { x: host.x + 50, y: host.y }),
            create('dc:Point', { x: host.x + 100, y: y0 + 40 }),
          ],
        }),
      );
    }
    if (host && chance(0.5)) {
      const value = create('bpmn:CategoryValue', { id: id('CategoryValue'), value: 'Audit' });
      rootElements.push(create('bpmn:Category', { id: id('Category'), categoryValue: [value] }));
      const group = create('bpmn:Group', { id: id('Group'), categoryValueRef: value });
      push(process, 'artifacts', group);
      planeElements.push(
        create('bpmndi:BPMNShape', {
          id: `${String(group.id)}_di`,
          bpmnElement: group,
          bounds: bounds(host.x - 20, host.y - 20, 140, 120),
          label: label(host.x, host.y - 15),
        }),
      );
    }
    if (host && chance(0.6)) {
      const object = create('bpmn:DataObject', { id: id('DataObject'), isCollection: chance(0.3) });
      const ref = create('bpmn:DataObjectReference', {
        id: id('DataObjectReference'),
        name: 'Order',
        dataObjectRef: object,
      });
      push(process, 'flowElements', object);
      addNode(ref, host.x + 30, host.y + 110, 36, 50);
      const out = create('bpmn:DataOutputAssociation', {
        id: id('DataOutputAssociation'),
        targetRef: ref,
      });
      push(host.el, 'dataOutputAssociations', out);
      planeElements.push(
        create('bpmndi:BPMNEdge', {
          id: `${String(out.id)}_di`,
          bpmnElement: out,
          waypoint: [
            create('dc:Point', { x: host.x + 50, y: host.y + 80 }),
            create('dc:Point', { x: host.x + 48, y: host.y + 110 }),
          ],
        }),
      );
    }
    if (host && chance(0.4)) {
      const store = create('bpmn:DataStore', { id: id('DataStore'), name: 'Orders' });
      rootElements.push(store);
      const ref = create('bpmn:DataStoreReference', {
        id: id('DataStoreReference'),
        name: 'Orders',
        dataStoreRef: store,
      });
      addNode(ref, host.x - 60, host.y + 110, 50, 50);
      const property = create('bpmn:Property', {
        id: id('Property'),
        name: '__targetRef_placeholder',
      });
      push(host.el, 'properties', property);
      const input = create('bpmn:DataInputAssociation', {
        id: id('DataInputAssociation'),
        sourceRef: [ref],
        targetRef: property,
      });
      push(host.el, 'dataInputAssociations', input);
      planeElements.push(
        create('bpmndi:BPMNEdge', {
          id: `${String(input.id)}_di`,
          bpmnElement: input,
          waypoint: [
            create('dc:Point', { x: host.x - 35, y: host.y + 110 }),
            create('dc:Point', { x: host.x, y: host.y + 60 }),
          ],
        }),
      );
    }

    // Lanes over the pool, the first one maybe split in two nested lanes.
    if (laneCount > 0) {
      const laneHeight = poolHeight / laneCount;
      const lanes: ModdleElement[] = [];
      for (let l = 0; l < laneCount; l++) {
        const lane = create('bpmn:Lane', { id: id('Lane'), name: `Lane ${l}` });
        const top = y0 + l * laneHeight;
        lane.flowNodeRef = nodeShapes
          .filter((n) => n.y + n.h / 2 >= top && n.y + n.h / 2 < top + laneHeight)
          .map((n) => n.el);
        planeElements.push(
          create('bpmndi:BPMNShape', {
            id: `${String(lane.id)}_di`,
            bpmnElement: lane,
            isHorizontal: true,
            bounds: bounds(30, top, poolWidth - 30, laneHeight),
          }),
        );
        if (l === 0 && chance(0.5)) {
          const half = laneHeight / 2;
          const nested = [0, 1].map((k) => {
            const child = create('bpmn:Lane', { id: id('Lane'), name: `Lane ${l}.${k}` });
            const childTop = top + k * half;
            child.flowNodeRef = (lane.flowNodeRef as ModdleElement[]).filter((el) => {
              const n = nodeShapes.find((s) => s.el === el)!;
              return n.y + n.h / 2 >= childTop && n.y + n.h / 2 < childTop + half;
            });
            planeElements.push(
              create('bpmndi:BPMNShape', {
                id: `${String(child.id)}_di`,
                bpmnElement: child,
                isHorizontal: true,
                bounds: bounds(60, childTop, poolWidth - 60, half),
              }),
            );
            return child;
          });
          lane.childLaneSet = create('bpmn:LaneSet', { id: id('LaneSet'), lanes: nested });
        }
        lanes.push(lane);
      }
      process.laneSets = [create('bpmn:LaneSet', { id: id('LaneSet'), lanes })];
    }
    const poolShape = create('bpmndi:BPMNShape', {
      id: `${String(participant.id)}_di`,
      bpmnElement: participant,
      isHorizontal: true,
      bounds: bounds(0, y0, poolWidth, poolHeight),
    });
    planeElements.push(poolShape);
    poolShapes.push({ el: participant, x: 0, y: y0, w: poolWidth, h: poolHeight });
    poolY += poolHeight + 40;
  }

  // Black-box pools.
  const blackBoxes = int(0, 2);
  for (let b = 0; b < blackBoxes; b++) {
    const participant = create('bpmn:Participant', { id: id('Participant'), name: `Partner ${b}` });
    foreign(participant);
    participants.push(participant);
    planeElements.push(
      create('bpmndi:BPMNShape', {
        id: `${String(participant.id)}_di`,
        bpmnElement: participant,
        isHorizontal: true,
        bounds: bounds(0, poolY, 800, 60),
      }),
    );
    poolShapes.push({ el: participant, x: 0, y: poolY, w: 800, h: 60 });
    poolY += 100;
  }

  // Message flows between different pools (nodes or pools).
  const messageFlows: ModdleElement[] = [];
  const ends = [
    ...messageFlowEnds,
    ...poolShapes.map((s, i) => ({ el: s.el, x: s.x + 40 + i * 10, y: s.y, pool: -1 - i })),
  ];
  const flowCount = participants.length > 1 ? int(0, 4) : 0;
  for (let f = 0; f < flowCount; f++) {
    const a = pick(ends);
    const candidates = ends.filter((e) => e.pool !== a.pool && e.el !== a.el);
    if (candidates.length === 0) break;
    const b = pick(candidates);
    const flow = create('bpmn:MessageFlow', { id: id('Flow'), sourceRef: a.el, targetRef: b.el });
    if (chance(0.4)) flow.name = 'notice';
    if (chance(0.3)) flow.messageRef = message();
    messageFlows.push(flow);
    const edge = create('bpmndi:BPMNEdge', {
      id: `${String(flow.id)}_di`,
      bpmnElement: flow,
      waypoint: [create('dc:Point', { x: a.x, y: a.y }), create('dc:Point', { x: b.x, y: b.y })],
    });
    if (flow.name !== undefined) edge.label = label(a.x + 4, (a.y + b.y) / 2);
    planeElements.push(edge);
  }
  if (chance(0.3) && participants.length > 0) {
    const note = create('bpmn:TextAnnotation', {
      id: id('TextAnnotation'),
      text: 'Whole collaboration',
    });
    collaborationArtifacts.push(note);
    planeElements.push(
      create('bpmndi:BPMNShape', {
        id: `${String(note.id)}_di`,
        bpmnElement: note,
        bounds: bounds(900, 0, 150, 40),
      }),
    );
  }

  const collaboration = create('bpmn:Collaboration', {
    id: id('Collaboration'),
    participants,
    ...(messageFlows.length > 0 ? { messageFlows } : {}),
    ...(collaborationArtifacts.length > 0 ? { artifacts: collaborationArtifacts } : {}),
  });
  const definitions = create('bpmn:Definitions', {
    id: id('Definitions'),
    targetNamespace: 'http://bpmn.io/schema/bpmn',
    exporter: pick([
      'Camunda Modeler',
      'bpmn-js (https://demo.bpmn.io)',
      'Signavio Process Editor',
    ]),
    exporterVersion: `${int(1, 17)}.${int(0, 30)}.0`,
    rootElements: [collaboration, ...rootElements],
    diagrams: [
      create('bpmndi:BPMNDiagram', {
        id: id('BPMNDiagram'),
        plane: create('bpmndi:BPMNPlane', {
          id: id('BPMNPlane'),
          bpmnElement: collaboration,
          planeElement: planeElements,
        }),
      }),
    ],
  });
  definitions.$attrs!['xmlns:zeebe'] = NS.zeebe;
  definitions.$attrs!['xmlns:camunda'] = NS.camunda;
  definitions.$attrs!['xmlns:signavio'] = NS.signavio;
  const { xml } = await moddle.toXML(definitions, { format: true });
  return xml;
}
