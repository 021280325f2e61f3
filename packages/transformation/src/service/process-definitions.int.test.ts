import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactKind, DiagnosticSeverity, ProcessFormat } from '@ameide/proto';
import { isAmeideError, type AmeideClient, type AmeideError } from '@ameide/sdk';
import type { ServiceHost } from '@ameide/server';
import { createArtifactStore } from '@ameide/transformation';
import { openMigratedDatabase } from '../testing/store-fixture.js';
import { startTransformationHost } from '../testing/platform-fixture.js';
import { compareBpmn } from '@ameide/process-definition/testing';
import { processDefinitionRules } from './process-definition-tools.js';

const example = (name: string) =>
  readFile(new URL(`../../../../examples/processes/${name}`, import.meta.url));
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function refusal(p: Promise<unknown>): Promise<AmeideError> {
  try {
    await p;
  } catch (err) {
    if (isAmeideError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('process definitions through TransformationService (pglite)', () => {
  let host: ServiceHost;
  let client: AmeideClient;
  let close: () => Promise<void>;
  let orderToCash: Record<string, unknown>;

  beforeAll(async () => {
    const opened = await openMigratedDatabase('pglite', 'process_definitions');
    close = opened.close;
    const platform = await startTransformationHost(opened.db);
    host = platform.host;
    client = await platform.clientFor('acme', 'alice');
    const imported = await client.transformation.importBpmn({
      xml: await example('order-to-cash.bpmn'),
    });
    expect(imported.diagnostics.filter((d) => d.severity === DiagnosticSeverity.ERROR)).toEqual([]);
    orderToCash = JSON.parse(decode(imported.definition)) as Record<string, unknown>;
  });
  afterAll(async () => {
    await host.close();
    await close();
  });

  it('lints and compiles JSON and BPMN, against the shipped proto registry', async () => {
    const lint = await client.transformation.lintProcessDefinition({
      format: ProcessFormat.BPMN,
      content: await example('order-to-cash.bpmn'),
    });
    expect(lint.diagnostics.filter((d) => d.severity === DiagnosticSeverity.ERROR)).toEqual([]);
    const a = await client.transformation.compileProcessDefinition({
      format: ProcessFormat.JSON,
      content: new TextEncoder().encode(JSON.stringify(orderToCash)),
    });
    const b = await client.transformation.compileProcessDefinition({
      format: ProcessFormat.BPMN,
      content: await example('order-to-cash.bpmn'),
    });
    expect(a.planHash).toMatch(/[0-9a-f]{64}$/);
    expect(a.planHash).toBe(b.planHash);
    expect(decode(a.plan)).toBe(decode(b.plan));

    const broken = structuredClone(orderToCash) as {
      nodes: { type: string; data: { binding?: { method: string } } }[];
    };
    broken.nodes.find((n) => n.type === 'serviceTask')!.data.binding!.method = 'Teleport';
    const bad = await client.transformation.compileProcessDefinition({
      format: ProcessFormat.JSON,
      content: new TextEncoder().encode(JSON.stringify(broken)),
    });
    expect(bad.plan.byteLength).toBe(0);
    const err = bad.diagnostics.find((d) => d.severity === DiagnosticSeverity.ERROR);
    expect(err?.message).toContain('Teleport');
    expect(err?.elementId).not.toBe('');
    expect(err?.code).toMatch(/^AM\d{3}$/);
  });

  it('exports BPMN that imports back to the same definition', async () => {
    const { xml } = await client.transformation.exportBpmn({
      definition: new TextEncoder().encode(JSON.stringify(orderToCash)),
    });
    expect(decode(xml)).toContain('<bpmndi:BPMNDiagram');
    const back = await client.transformation.importBpmn({ xml });
    expect(JSON.parse(decode(back.definition))).toEqual(orderToCash);
    const garbage = await client.transformation.importBpmn({
      xml: new TextEncoder().encode('<not-bpmn'),
    });
    expect(garbage.definition.byteLength).toBe(0);
    expect(garbage.diagnostics[0]?.severity).toBe(DiagnosticSeverity.ERROR);
  });

  it('imports a collaboration as one definition per process and exports the document back', async () => {
    const xml = await readFile(
      new URL(
        '../../../process-definition/test/fixtures/camunda-modeler-collaboration.bpmn',
        import.meta.url,
      ),
    );
    const imported = await client.transformation.importBpmn({ xml, collaboration: true });
    expect(imported.diagnostics.filter((d) => d.severity === DiagnosticSeverity.ERROR)).toEqual([]);
    expect(imported.definition.byteLength).toBe(0);
    const ids = imported.definitions.map((d) => (JSON.parse(decode(d)) as { id: string }).id);
    expect(ids.length).toBeGreaterThan(1);
    expect(imported.collaboration.byteLength).toBeGreaterThan(0);
    const { xml: out } = await client.transformation.exportBpmn({
      definitions: imported.definitions,
      collaboration: imported.collaboration,
    });
    // No element, reference or DI shape of the original lost (compared through bpmn-moddle).
    expect(await compareBpmn(decode(xml), decode(out))).toEqual([]);

    // Bad requests name the field.
    const both = await refusal(
      client.transformation.exportBpmn({
        definition: imported.definitions[0]!,
        definitions: imported.definitions,
      }),
    );
    expect(both).toMatchObject({ code: 'invalid_argument' });
    expect(both.fieldViolations[0]?.field).toBe('definition');
    const twice = await refusal(
      client.transformation.exportBpmn({
        definitions: [imported.definitions[0]!, imported.definitions[0]!],
      }),
    );
    expect(twice.message).toBe(`definitions[0] and definitions[1] are both process ${ids[0]}`);
    const badPart = await refusal(
      client.transformation.exportBpmn({
        definitions: imported.definitions,
        collaboration: new TextEncoder().encode('{"residuals": 7}'),
      }),
    );
    expect(badPart).toMatchObject({ code: 'invalid_argument' });
    expect(badPart.fieldViolations[0]?.field).toMatch(/^collaboration/);
    const notJson = await refusal(
      client.transformation.exportBpmn({ definitions: [new TextEncoder().encode('{')] }),
    );
    expect(notJson.fieldViolations[0]?.field).toBe('definitions[0]');
  });

  it('publishing a process definition stores its compiled plan; lint errors refuse the publish', async () => {
    const content = new TextEncoder().encode(JSON.stringify(orderToCash));
    const { artifact } = await client.transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'order-to-cash',
      contentType: 'application/json',
      content,
    });
    const { artifact: published } = await client.transformation.publishArtifact({
      artifactId: artifact!.id,
    });
    const compiled = await client.transformation.compileProcessDefinition({
      format: ProcessFormat.JSON,
      content,
    });
    expect(published!.publishedVersions[0]!.planHash).toBe(compiled.planHash);

    const broken = structuredClone(orderToCash) as {
      nodes: { type: string; data: { binding?: { method: string } } }[];
    };
    broken.nodes.find((n) => n.type === 'serviceTask')!.data.binding!.method = 'Teleport';
    const { artifact: draft } = await client.transformation.reviseArtifact({
      artifactId: artifact!.id,
      expectedVersion: published!.streamVersion,
      content: new TextEncoder().encode(JSON.stringify(broken)),
    });
    const refused = await refusal(client.transformation.publishArtifact({ artifactId: draft!.id }));
    expect(refused.code).toBe('failed_precondition');
    expect(refused.reason).toBe('LINT_ERRORS');
    expect(refused.fieldViolations.some((v) => v.description.includes('Teleport'))).toBe(true);
    const { artifact: after } = await client.transformation.getArtifact({
      artifactId: artifact!.id,
    });
    expect(after!.latestPublishedVersion).toBe(1);

    const notADefinition = await refusal(
      client.transformation.createArtifact({
        kind: ArtifactKind.PROCESS_DEFINITION,
        name: 'junk',
        contentType: 'application/json',
        content: new TextEncoder().encode('{"nodes": 3}'),
      }),
    );
    expect(notADefinition.code).toBe('invalid_argument');
    expect(notADefinition.fieldViolations[0]!.field).toMatch(/^content/);
  });

  it('the stored plan is the one the compiler produced, readable by version', async () => {
    const opened = await openMigratedDatabase('pglite', 'plans');
    try {
      const store = createArtifactStore({
        db: opened.db,
        rules: { process_definition: processDefinitionRules() },
      });
      const actor = { tenantId: 'acme', userId: 'alice' };
      const a = await store.create(actor, {
        kind: 'process_definition',
        name: 'o2c',
        contentType: 'application/json',
        content: new TextEncoder().encode(JSON.stringify(orderToCash)),
      });
      await store.publish(actor, { artifactId: a.id });
      const { artifact, version, plan } = await store.getPublishedPlan(
        actor,
        { kind: 'process_definition', name: 'o2c' },
        'latest',
      );
      expect(artifact).toEqual({ id: a.id, kind: 'process_definition', name: 'o2c' });
      expect(version.version).toBe(1);
      expect(JSON.parse(decode(plan))).toMatchObject({ planVersion: 1 });
    } finally {
      await opened.close();
    }
  });
});
