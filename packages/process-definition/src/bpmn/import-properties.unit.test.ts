import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  importBpmn,
  parseProcessDefinition,
  type ImportBpmnResult,
} from '@ameide/process-definition';

const dir = new URL('../../../../examples/processes/', import.meta.url);
const samples = [
  ...readdirSync(dir)
    .filter((f) => f.endsWith('.bpmn'))
    .map((f) => readFileSync(new URL(f, dir), 'utf8')),
  readFileSync(new URL('../../test/fixtures/camunda-modeler-order.bpmn', import.meta.url), 'utf8'),
];

function expectHandled(result: ImportBpmnResult): void {
  for (const d of result.diagnostics) {
    expect(d.code).toMatch(/^AM1\d\d$/);
    expect(d.elementId.length).toBeGreaterThan(0);
  }
  if (result.ok) expect(parseProcessDefinition(result.definition).ok).toBe(true);
  else expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
}

describe('importBpmn properties (fast-check)', () => {
  it('fails on random text with a diagnostic, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (garbage) => {
        const result = await importBpmn(garbage);
        expect(result.ok).toBe(false);
        expect(result.diagnostics[0]!.code).toMatch(/^AM10[01]$/);
      }),
      { numRuns: 300 },
    );
  });

  it('handles random XML-looking garbage', async () => {
    const token = fc.constantFrom(
      '<',
      '>',
      '/',
      '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">',
      '</bpmn:definitions>',
      '<bpmn:process id="p">',
      '</bpmn:process>',
      '<bpmn:task id="t"/>',
      '<bpmn:sequenceFlow id="f" sourceRef="t" targetRef="q"/>',
      '"',
      '=',
      'id',
      ' ',
      '&amp;',
      '&bogus;',
      '<![CDATA[x]]>',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 30 }), async (parts) => {
        expectHandled(await importBpmn(parts.join('')));
      }),
      { numRuns: 300 },
    );
  });

  it('handles truncated and corrupted real files', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(samples.length - 1),
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 5 }),
        async (which, cut, at, insert) => {
          const xml = samples[which]!;
          const truncated = xml.slice(0, cut % xml.length);
          expectHandled(await importBpmn(truncated));
          const position = at % xml.length;
          expectHandled(
            await importBpmn(xml.slice(0, position) + insert + xml.slice(position + insert.length)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
