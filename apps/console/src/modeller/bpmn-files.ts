import {
  parseProcessDefinition,
  type Diagnostic,
  type ProcessDefinition,
} from '@ameide/process-definition';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import { needsLayout } from '../model/needs-layout.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface ImportOutcome {
  readonly definition?: ProcessDefinition;
  /** Importer findings (unsupported elements, foreign extensions, ...). */
  readonly diagnostics: readonly Pick<Diagnostic, 'code' | 'message' | 'elementId'>[];
  readonly message: string;
}

/**
 * Imports a BPMN file through the platform (TransformationService.ImportBpmn, the same importer
 * the CLI uses); graphs without diagram information are laid out with elk.
 */
export async function importBpmnFile(client: AmeideClient, file: File): Promise<ImportOutcome> {
  try {
    const xml = await file.text();
    const r = await client.transformation.importBpmn({ xml: encoder.encode(xml) });
    const diagnostics = r.diagnostics.map((d) => ({
      code: d.code,
      message: d.message,
      elementId: d.elementId,
    }));
    if (r.definition.length === 0) {
      return {
        diagnostics,
        message: `${file.name} could not be imported: ${diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`,
      };
    }
    const parsed = parseProcessDefinition(decoder.decode(r.definition));
    if (!parsed.ok)
      return {
        diagnostics,
        message: `${file.name}: ${parsed.errors[0]?.path} ${parsed.errors[0]?.message}`,
      };
    // elk is ~1.5 MB: loaded only when a graph needs laying out.
    const definition = needsLayout(parsed.definition)
      ? await (await import('../model/auto-layout.js')).autoLayout(parsed.definition)
      : parsed.definition;
    const summary = diagnostics.length ? `, ${diagnostics.length} import finding(s)` : '';
    return { definition, diagnostics, message: `Imported ${file.name}${summary}` };
  } catch (err) {
    return {
      diagnostics: [],
      message: `${file.name} could not be imported: ${describeError(err)}`,
    };
  }
}

/** Exports through TransformationService.ExportBpmn and hands the browser a `.bpmn` download. */
export async function downloadBpmn(
  client: AmeideClient,
  definition: ProcessDefinition,
): Promise<void> {
  const r = await client.transformation.exportBpmn({
    definition: encoder.encode(JSON.stringify(definition)),
  });
  const blob = new Blob([r.xml as Uint8Array<ArrayBuffer>], { type: 'application/xml' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${definition.id}.bpmn`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
