import { create } from '@bufbuild/protobuf';
import {
  DiagnosticSchema,
  DiagnosticSeverity,
  ProcessFormat,
  hasRpc,
  type Diagnostic,
} from '@ameide/proto';
import { AmeideError, ErrorCode } from '@ameide/errors';
import {
  compileProcessDefinition,
  planReferences,
  type ExecutionPlan,
  createDefinitionResolver,
  bpmnInterchangeSchema,
  exportBpmn,
  importBpmn,
  importBpmnCollaboration,
  lintProcessDefinition,
  type BpmnInterchange,
  type ProcessDefinition,
  type Diagnostic as ModelDiagnostic,
  type ServiceRegistry,
} from '@ameide/process-definition';
import type { ArtifactKindRules } from '../artifacts/content-rules.js';

/** The platform's proto descriptor set as the linter's service registry. */
export const platformServiceRegistry: ServiceRegistry = { hasMethod: hasRpc };

/** What TransformationService needs from the ProcessDefinition toolchain. */
export interface ProcessDefinitionTools {
  lint(format: ProcessFormat, content: Uint8Array): Promise<Diagnostic[]>;
  compile(
    format: ProcessFormat,
    content: Uint8Array,
  ): Promise<{ plan: Uint8Array; planHash: string; diagnostics: Diagnostic[] }>;
  importBpmn(xml: Uint8Array): Promise<{ definition: Uint8Array; diagnostics: Diagnostic[] }>;
  /** Every process of the document as a definition of its own, and the document-level part. */
  importBpmnCollaboration(xml: Uint8Array): Promise<{
    definitions: Uint8Array[];
    collaboration: Uint8Array;
    diagnostics: Diagnostic[];
  }>;
  /** One definition, or several with the collaboration part, as one BPMN document. */
  exportBpmn(
    definition: Uint8Array | { definitions: readonly Uint8Array[]; collaboration: Uint8Array },
  ): Promise<Uint8Array>;
}

const severity = {
  error: DiagnosticSeverity.ERROR,
  warning: DiagnosticSeverity.WARNING,
  info: DiagnosticSeverity.INFO,
} as const;

export function diagnosticToProto(d: ModelDiagnostic): Diagnostic {
  return create(DiagnosticSchema, {
    code: d.code,
    severity: severity[d.severity],
    message: d.message,
    elementId: d.elementId,
    expressionOffset: d.span?.start ?? 0,
    field: d.field ?? d.path ?? '',
  });
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** Parses JSON or imports BPMN into the raw definition the linter takes. */
async function definitionOf(
  format: ProcessFormat,
  content: Uint8Array,
): Promise<{ definition?: unknown; diagnostics: ModelDiagnostic[] }> {
  const text = decoder.decode(content);
  if (
    format === ProcessFormat.BPMN ||
    (format === ProcessFormat.UNSPECIFIED && text.trimStart().startsWith('<'))
  ) {
    const imported = await importBpmn(text);
    return imported.ok
      ? { definition: imported.definition, diagnostics: [...imported.diagnostics] }
      : { diagnostics: [...imported.diagnostics] };
  }
  try {
    return { definition: JSON.parse(text) as unknown, diagnostics: [] };
  } catch (err) {
    throw AmeideError.invalidArgument(`content is not JSON: ${(err as Error).message}`, [
      {
        field: 'content',
        description: 'a ProcessDefinition JSON document (or set format to PROCESS_FORMAT_BPMN)',
      },
    ]);
  }
}

/** Lint, compile and BPMN conversion, checked against the platform's proto registry. */
export function createProcessDefinitionTools(
  services: ServiceRegistry = platformServiceRegistry,
): ProcessDefinitionTools {
  return {
    async lint(format, content) {
      const { definition, diagnostics } = await definitionOf(format, content);
      if (definition === undefined) return diagnostics.map(diagnosticToProto);
      return [...diagnostics, ...lintProcessDefinition(definition, { services }).diagnostics].map(
        diagnosticToProto,
      );
    },
    async compile(format, content) {
      const { definition, diagnostics } = await definitionOf(format, content);
      if (definition === undefined)
        return {
          plan: new Uint8Array(),
          planHash: '',
          diagnostics: diagnostics.map(diagnosticToProto),
        };
      const result = compileProcessDefinition(definition, { services });
      const all = [...diagnostics, ...result.diagnostics].map(diagnosticToProto);
      return result.ok
        ? { plan: encoder.encode(result.json), planHash: result.hash, diagnostics: all }
        : { plan: new Uint8Array(), planHash: '', diagnostics: all };
    },
    async importBpmn(xml) {
      const result = await importBpmn(decoder.decode(xml));
      return {
        definition: result.ok
          ? encoder.encode(JSON.stringify(result.definition, null, 2))
          : new Uint8Array(),
        diagnostics: result.diagnostics.map(diagnosticToProto),
      };
    },
    async importBpmnCollaboration(xml) {
      const result = await importBpmnCollaboration(decoder.decode(xml));
      return result.ok
        ? {
            definitions: result.definitions.map((d) => encoder.encode(JSON.stringify(d, null, 2))),
            collaboration: encoder.encode(JSON.stringify(result.collaboration)),
            diagnostics: result.diagnostics.map(diagnosticToProto),
          }
        : {
            definitions: [],
            collaboration: new Uint8Array(),
            diagnostics: result.diagnostics.map(diagnosticToProto),
          };
    },
    async exportBpmn(input) {
      if (input instanceof Uint8Array)
        return encoder.encode(await exportBpmn(checkedDefinition(input, 'definition')));
      if (input.definitions.length === 0)
        throw AmeideError.invalidArgument('nothing to export', [
          { field: 'definitions', description: 'one ProcessDefinition JSON, or several' },
        ]);
      const definitions: ProcessDefinition[] = [];
      const seen = new Map<string, number>();
      for (const [i, bytes] of input.definitions.entries()) {
        const def = checkedDefinition(bytes, `definitions[${i}]`);
        const other = seen.get(def.id);
        if (other !== undefined)
          throw AmeideError.invalidArgument(
            `definitions[${other}] and definitions[${i}] are both process ${def.id}`,
            [{ field: `definitions[${i}].id`, description: 'each process of a document once' }],
          );
        seen.set(def.id, i);
        definitions.push(def);
      }
      const collaboration = collaborationOf(input.collaboration);
      return encoder.encode(
        await exportBpmn({ definitions, ...(collaboration ? { collaboration } : {}) }),
      );
    },
  };
}

/** A ProcessDefinition JSON document, schema-checked; `field` names it in the error. */
function checkedDefinition(bytes: Uint8Array, field: string): ProcessDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes)) as unknown;
  } catch (err) {
    throw AmeideError.invalidArgument(`${field} is not JSON: ${(err as Error).message}`, [
      { field, description: 'a ProcessDefinition JSON document' },
    ]);
  }
  const lint = lintProcessDefinition(parsed);
  if (!lint.definition) {
    const first = lint.diagnostics[0];
    throw AmeideError.invalidArgument(
      `not a ProcessDefinition: ${first?.message ?? 'schema check failed'}`,
      [
        {
          field: `${field}${first?.path ? `.${first.path}` : ''}`,
          description: first?.message ?? 'invalid',
        },
      ],
    );
  }
  return lint.definition;
}

/** The collaboration part ImportBpmn gave (JSON), checked; undefined when empty. */
function collaborationOf(bytes: Uint8Array): BpmnInterchange | undefined {
  if (bytes.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes)) as unknown;
  } catch (err) {
    throw AmeideError.invalidArgument(`collaboration is not JSON: ${(err as Error).message}`, [
      { field: 'collaboration', description: 'the collaboration part ImportBpmn answered' },
    ]);
  }
  const checked = bpmnInterchangeSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw AmeideError.invalidArgument(
      `collaboration is not what ImportBpmn answered: ${issue?.message ?? 'invalid'}`,
      [
        {
          field: `collaboration${issue?.path.length ? `.${issue.path.join('.')}` : ''}`,
          description: issue?.message ?? 'invalid',
        },
      ],
    );
  }
  return checked.data;
}

/**
 * Rules of the `process_definition` artifact kind: drafts must be a JSON
 * ProcessDefinition that passes the schema check (lint errors are allowed in
 * a draft); publishing lints and compiles against the proto registry and the
 * tenant's published definitions, refuses on errors, and stores the plan.
 */
export function processDefinitionRules(
  services: ServiceRegistry = platformServiceRegistry,
): ArtifactKindRules {
  return {
    validate(content, contentType) {
      if (!/json/i.test(contentType)) {
        return [
          {
            field: 'content_type',
            description:
              'process definitions are stored as application/json (import BPMN with ImportBpmn first)',
          },
        ];
      }
      const lint = lintProcessDefinition(JSON.parse(decoder.decode(content)) as unknown, {
        services,
      });
      return lint.definition
        ? []
        : lint.diagnostics.map((d) => ({
            field: `content${d.path ? `.${d.path}` : ''}`,
            description: d.message,
          }));
    },
    publish(content, _contentType, context) {
      const definitions = createDefinitionResolver(context.publishedVersions);
      const decisions = createDefinitionResolver(context.publishedDecisions ?? {});
      const result = compileProcessDefinition(JSON.parse(decoder.decode(content)) as unknown, {
        services,
        definitions,
        decisions,
      });
      if (!result.ok) {
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        throw new AmeideError(
          ErrorCode.FailedPrecondition,
          `cannot publish: ${errors.length} lint error(s); first: ${errors[0]?.elementId}: ${errors[0]?.code} ${errors[0]?.message}`,
          {
            reason: 'LINT_ERRORS',
            fieldViolations: errors.map((d) => ({
              field: `${d.elementId}${d.path ? `.${d.path}` : ''}`,
              description: `${d.code}: ${d.message}`,
            })),
          },
        );
      }
      const {
        calls,
        processes,
        agents,
        decisions: decided,
      } = planReferences(JSON.parse(result.json) as ExecutionPlan);
      return Promise.resolve({
        planHash: result.hash,
        plan: encoder.encode(result.json),
        references: { calls, processes, agents, decisions: decided },
      });
    },
  };
}
