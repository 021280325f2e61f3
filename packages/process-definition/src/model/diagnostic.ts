/** How bad a finding is: `error` blocks compilation and publishing, `warning` does not. */
export type Severity = 'error' | 'warning' | 'info';

/** What kind of element a diagnostic points at. */
export type ElementKind = 'process' | 'node' | 'edge' | 'lane' | 'variable';

/** A span inside a text field (FEEL expression, ISO 8601 timer): 0-based offsets, 1-based line/column. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

/**
 * One finding of the schema check, the importer, the linter or the compiler.
 *
 * Every diagnostic names the element it is about (`elementId`, a node, edge or lane id, or the
 * process id for process-wide findings) and carries a stable `code` (see {@link lintRules}).
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly elementId: string;
  readonly elementKind: ElementKind;
  /** Path of the offending field in the definition, e.g. `nodes[3].data.binding.input`. */
  readonly path?: string;
  /** The same field relative to the element (and its `data`), e.g. `binding.input`. */
  readonly field?: string;
  /** Where inside the field's text the problem is. */
  readonly span?: TextSpan;
  /** BPMN element type, for importer diagnostics (e.g. `bpmn:ManualTask`). */
  readonly bpmnType?: string;
}

/** Whether any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Renders `elementId: CODE severity: message` (the CLI prefixes the file name). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.span ? ` (at ${d.span.line}:${d.span.column})` : '';
  return `${d.elementId}: ${d.code} ${d.severity}: ${d.message}${where}`;
}

/** Converts a 0-based offset range inside `text` to a {@link TextSpan}. */
export function spanOf(text: string, start: number, end: number): TextSpan {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < start && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { start, end, line, column: start - lineStart + 1 };
}

/** `nodes[3].data.binding.input` → `binding.input`; `edges[0].source` → `source`. */
export function fieldOf(path: string): string | undefined {
  const m = /^(?:nodes|edges|lanes|variables)\[\d+\](?:\.data)?\.?(.*)$/.exec(path);
  if (!m) return path === '' ? undefined : path;
  return m[1] === '' ? undefined : m[1];
}
