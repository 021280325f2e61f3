import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collaborationView,
  exportBpmn,
  importBpmn,
  importBpmnCollaboration,
  parseProcessDefinition,
  type ProcessDefinition,
} from '@ameide/process-definition';
import { compareBpmn, generateBpmnCollaboration } from '@ameide/process-definition/testing';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../../../examples/processes/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.bpmn'))
  .sort();
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.bpmn'))
  .sort();

async function collaboration(xml: string) {
  const result = await importBpmnCollaboration(xml);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result;
}

async function roundTrip(xml: string): Promise<{ out: string; again: unknown; first: unknown }> {
  const first = await collaboration(xml);
  const out = await exportBpmn({
    definitions: first.definitions,
    collaboration: first.collaboration,
  });
  const again = await collaboration(out);
  return {
    out,
    first: { definitions: first.definitions, collaboration: first.collaboration },
    again: { definitions: again.definitions, collaboration: again.collaboration },
  };
}

describe('BPMN → definitions → BPMN keeps the document (compared through bpmn-moddle)', () => {
  it('has fixtures mimicking Camunda Modeler, Signavio and bpmn.io', () => {
    expect(fixtures).toEqual(
      expect.arrayContaining([
        'bpmn-io-collaboration.bpmn',
        'camunda-modeler-collaboration.bpmn',
        'camunda-modeler-order.bpmn',
        'signavio-collaboration.bpmn',
      ]),
    );
  });

  describe.each(fixtures)('fixture %s', (file) => {
    it('importBpmnCollaboration → exportBpmn: no element, reference or DI shape lost', async () => {
      const xml = fixture(file);
      const { out, first, again } = await roundTrip(xml);
      expect(await compareBpmn(xml, out)).toEqual([]);
      expect(again).toStrictEqual(first);
    });

    it('importBpmn (one definition) → exportBpmn: the whole document comes back', async () => {
      const xml = fixture(file);
      const result = await importBpmn(xml);
      if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
      const out = await exportBpmn(result.definition);
      expect(await compareBpmn(xml, out)).toEqual([]);
      const again = await importBpmn(out);
      expect(again.definition).toStrictEqual(result.definition);
    });
  });

  describe.each(examples)('example %s', (file) => {
    it('round-trips without a difference', async () => {
      const xml = readFileSync(join(EXAMPLES, file), 'utf8');
      const result = await importBpmn(xml);
      if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
      expect(await compareBpmn(xml, await exportBpmn(result.definition))).toEqual([]);
    });
  });

  it('round-trips generated collaborations (pools, lanes, message flows, artifacts, data, extensions)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 3 }),
        async (seed, processes) => {
          const xml = await generateBpmnCollaboration(seed, { processes, nodesPerProcess: 6 });
          const { out, first, again } = await roundTrip(xml);
          expect(await compareBpmn(xml, out)).toEqual([]);
          expect(again).toStrictEqual(first);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('importBpmnCollaboration', () => {
  it('imports every process as its own definition and keeps pools, lanes and flows', async () => {
    const result = await collaboration(fixture('camunda-modeler-collaboration.bpmn'));
    expect(result.definitions.map((d) => `${d.id}:${d.participant?.id}`)).toEqual([
      'Process_Sales:Participant_Sales',
      'Process_Warehouse:Participant_Warehouse',
    ]);
    const sales = result.definitions[0]!;
    expect(sales.lanes.map((l) => l.id)).toEqual([
      'Lane_Office',
      'Lane_Clerk',
      'Lane_Dispatch',
      'Lane_Manager',
    ]);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const warned = result.diagnostics
      .filter((d) => d.severity === 'warning' && ['AM104', 'AM106'].includes(d.code))
      .map((d) => `${d.code}:${d.elementId}`);
    expect(warned).toEqual(
      expect.arrayContaining([
        'AM104:Participant_Customer',
        'AM106:Flow_msg_order',
        'AM106:Flow_msg_pick',
        'AM106:Activity_Check',
        'AM106:Group_Fulfilment',
        'AM106:Lane_Clerk',
      ]),
    );
    // The other process is imported, not reported as left out.
    expect(result.diagnostics.map((d) => d.elementId)).not.toContain('Participant_Warehouse');
    // What belongs to the document is in the collaboration record, not in a definition.
    const documentKept = JSON.stringify(result.collaboration);
    expect(documentKept).toContain('Participant_Customer');
    expect(documentKept).toContain('Flow_msg_pick');
    expect(JSON.stringify(sales.bpmn)).toContain('DataStoreReference_Stock');
    expect(JSON.stringify(sales.bpmn)).not.toContain('Participant_Customer');
  });

  it('keeps each definition usable alone: a process exported without the collaboration re-imports', async () => {
    const result = await collaboration(fixture('camunda-modeler-collaboration.bpmn'));
    const warehouse = result.definitions[1]!;
    const alone = await importBpmn(await exportBpmn(warehouse));
    expect(alone.ok).toBe(true);
    expect(alone.diagnostics.filter((d) => d.code === 'AM108')).toEqual([]);
    expect(alone.definition!.nodes.map((n) => n.id)).toEqual(warehouse.nodes.map((n) => n.id));
  });

  it('fails on what is not BPMN (AM100) and on a document without a process (AM101)', async () => {
    const garbage = await importBpmnCollaboration('garbage');
    expect(garbage.ok).toBe(false);
    expect(garbage.diagnostics[0]).toMatchObject({ code: 'AM100', severity: 'error' });
    const empty = await importBpmnCollaboration(
      '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t" />',
    );
    expect(empty.ok).toBe(false);
    expect(empty.diagnostics.map((d) => d.code)).toEqual(['AM101']);
  });
});

describe('exportBpmn with what the import kept', () => {
  async function shop(): Promise<ProcessDefinition> {
    const result = await importBpmn(fixture('bpmn-io-collaboration.bpmn'));
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    return result.definition;
  }

  it('lets the model win: a renamed node is exported with its new name', async () => {
    const def = await shop();
    const renamed = {
      ...def,
      nodes: def.nodes.map((n) =>
        n.id === 'Task_Pay' ? { ...n, data: { ...n.data, name: 'Charge card' } } : n,
      ),
    } as ProcessDefinition;
    const diffs = await compareBpmn(
      fixture('bpmn-io-collaboration.bpmn'),
      await exportBpmn(renamed),
    );
    expect(diffs.map((d) => `${d.kind}:${d.id}`)).toEqual(['name:Task_Pay']);
  });

  it('drops what was kept around a deleted node (association, data association, message flow, their DI)', async () => {
    const def = await shop();
    const without = {
      ...def,
      nodes: def.nodes.filter((n) => n.id !== 'Task_Pay'),
      edges: def.edges.filter((e) => e.source !== 'Task_Pay' && e.target !== 'Task_Pay'),
    } as ProcessDefinition;
    const out = await exportBpmn(without);
    const missing = (await compareBpmn(fixture('bpmn-io-collaboration.bpmn'), out))
      .filter((d) => d.kind === 'missing')
      .map((d) => d.id)
      .sort();
    expect(missing).toEqual(
      [
        'Association_1',
        'Association_1_di',
        'DataOutputAssociation_0inv',
        'DataOutputAssociation_0inv_di',
        'Flow_a',
        'Flow_a_di',
        'Flow_b',
        'Flow_b_di',
        'MessageFlow_0pay',
        'MessageFlow_0pay_di',
        'Task_Pay',
        'Task_Pay_di',
      ].sort(),
    );
    const again = await importBpmn(out);
    expect(again.ok).toBe(true);
    expect(again.diagnostics.filter((d) => d.code === 'AM108')).toEqual([]);
  });

  it('refuses an empty document', async () => {
    await expect(exportBpmn({ definitions: [] })).rejects.toThrow(/at least one ProcessDefinition/);
  });

  it('validates the kept part like the rest of the definition', async () => {
    const def = await shop();
    const broken = parseProcessDefinition({
      ...def,
      bpmn: { residuals: { Task_Pay: { $set: { name: { nope: 1 } } } } },
    });
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.errors[0]!.path).toMatch(/^bpmn\.residuals\.Task_Pay/);
  });
});

describe('compareBpmn', () => {
  const xml = fixture('bpmn-io-collaboration.bpmn');
  it('finds a renamed element, a moved shape, a lost reference and a lost extension', async () => {
    const changed = xml
      .replace('name="Request payment"', 'name="Pay"')
      .replace('<dc:Bounds x="402" y="282"', '<dc:Bounds x="400" y="282"')
      .replace(' messageRef="Message_paid"', '')
      .replace('<camunda:property name="channel" value="web" />', '');
    const kinds = (await compareBpmn(xml, changed)).map((d) => `${d.kind}:${d.id}`).sort();
    expect(kinds).toEqual(
      [
        'name:Task_Pay',
        'di:Event_Paid_di',
        'reference:MessageEventDefinition_1paid',
        'eventDefinition:Event_Paid',
        'extension:Task_Pay',
      ].sort(),
    );
  });

  it('finds missing and added elements', async () => {
    const changed = xml.replace('id="Group_0pay"', 'id="Group_other"');
    const kinds = (await compareBpmn(xml, changed)).map((d) => `${d.kind}:${d.id}`).sort();
    expect(kinds).toEqual(['added:Group_other', 'missing:Group_0pay', 'reference:Group_0pay_di']);
  });
});

describe('collaborationView', () => {
  it('lists the kept pools, message flows and associations with their diagram positions', async () => {
    const result = await importBpmn(fixture('camunda-modeler-collaboration.bpmn'));
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    const view = collaborationView(result.definition);
    // The other process's pool is kept verbatim by importBpmn, the customer's is a black box.
    expect(view.pools).toEqual([
      {
        id: 'Participant_Warehouse',
        name: 'Warehouse',
        position: { x: 160, y: 470 },
        width: 900,
        height: 200,
      },
      {
        id: 'Participant_Customer',
        name: 'Customer',
        position: { x: 160, y: -40 },
        width: 900,
        height: 60,
      },
    ]);
    expect(view.messageFlows.map((f) => `${f.id}:${f.source}->${f.target}`).sort()).toEqual([
      'Flow_msg_confirm:Activity_Confirm->Participant_Customer',
      'Flow_msg_done:Event_Picked->Event_WaitPicked',
      'Flow_msg_order:Participant_Customer->StartEvent_Order',
      'Flow_msg_pick:Activity_Request->StartEvent_Pick',
    ]);
    expect(view.messageFlows.find((f) => f.id === 'Flow_msg_done')!.waypoints).toHaveLength(4);
    expect(view.associations.map((a) => a.id).sort()).toEqual([
      'Association_0pick',
      'Association_0sla',
    ]);
    expect(
      view.annotations.map((a) => `${a.id}:${a.text}:${a.position.x},${a.position.y}`).sort(),
    ).toEqual([
      'TextAnnotation_0pick:Scanner app:760,490',
      'TextAnnotation_0sla:SLA: 24 h from order to shipment:1100,-40',
    ]);
  });

  it('shows the black-box pool of a bpmn.io diagram, and nothing once exported by Ameide alone', async () => {
    const shop = await shopDefinition();
    const view = collaborationView(shop);
    expect(view.pools.map((p) => p.id)).toEqual(['Participant_1v6g2o9']);
    expect(view.messageFlows.map((f) => f.id).sort()).toEqual([
      'MessageFlow_0pay',
      'MessageFlow_1ack',
    ]);
    const { bpmn: _kept, ...modelOnly } = shop;
    const plain = await importBpmn(await exportBpmn(modelOnly));
    expect(plain.ok && plain.definition.bpmn).toBeUndefined();
    expect(collaborationView(plain.definition!)).toEqual({
      pools: [],
      messageFlows: [],
      associations: [],
      annotations: [],
    });
  });
});

async function shopDefinition(): Promise<ProcessDefinition> {
  const result = await importBpmn(fixture('bpmn-io-collaboration.bpmn'));
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result.definition;
}
