import { describe, expect, it } from 'vitest';
import {
  compileProcessDefinition,
  exportBpmn,
  importBpmn,
  lintProcessDefinition,
  orderProcessDefinition,
} from '@ameide/process-definition';
import {
  generateProcessDefinition,
  salesServiceRegistry,
} from '@ameide/process-definition/testing';

describe('generateProcessDefinition', () => {
  it.each([
    [10, 1],
    [50, 2],
    [200, 3],
    [1000, 4],
  ])('builds a lint-clean definition of about %i nodes (seed %i)', (count, seed) => {
    const def = generateProcessDefinition(count, seed);
    expect(def.nodes.length).toBeGreaterThanOrEqual(count);
    expect(def.nodes.length).toBeLessThan(count + 12);
    const lint = lintProcessDefinition(def, { services: salesServiceRegistry });
    expect(lint.diagnostics).toEqual([]);
    const compiled = compileProcessDefinition(def, { services: salesServiceRegistry });
    expect(compiled.ok).toBe(true);
  });

  it('is deterministic in its seed', () => {
    expect(generateProcessDefinition(300, 7)).toEqual(generateProcessDefinition(300, 7));
    expect(generateProcessDefinition(300, 7)).not.toEqual(generateProcessDefinition(300, 8));
  });

  it('survives a BPMN round trip', async () => {
    const def = generateProcessDefinition(150, 5);
    const imported = await importBpmn(await exportBpmn(def));
    expect(imported.diagnostics).toEqual([]);
    // Export draws the waypoints the generator leaves out; everything else comes back.
    const withoutWaypoints = imported.definition && {
      ...imported.definition,
      edges: imported.definition.edges.map(({ data: { waypoints: _w, ...data }, ...e }) => ({
        ...e,
        data,
      })),
    };
    expect(withoutWaypoints).toStrictEqual(orderProcessDefinition(def));
    const again = await importBpmn(await exportBpmn(imported.definition!));
    expect(again.definition).toStrictEqual(imported.definition);
  });
});
