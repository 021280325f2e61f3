import type { Diagnostic, ProcessFormat } from '@ameide/proto';

/** What TransformationService needs from the ProcessDefinition toolchain. */
export interface ProcessDefinitionTools {
  lint(format: ProcessFormat, content: Uint8Array): Diagnostic[];
  compile(format: ProcessFormat, content: Uint8Array): { plan: Uint8Array; planHash: string; diagnostics: Diagnostic[] };
  importBpmn(xml: Uint8Array): { definition: Uint8Array; diagnostics: Diagnostic[] };
  exportBpmn(definition: Uint8Array): Uint8Array;
}
