import type { FromXmlResult } from 'bpmn-moddle';
import type { Diagnostic } from '../model/diagnostic.js';
import { formatPath } from '../model/parse-process-definition.js';
import {
  processDefinitionSchema,
  type Lane,
  type Position,
  type ProcessDefinition,
  type ProcessEdge,
  type ProcessVariable,
} from '../model/process-definition.js';
import { foreignExtensions, isEngineDialect, stripFeelMarker } from './foreign-extensions.js';
import type { BpmnInterchange, Residual } from '../model/bpmn-interchange.js';
import { buildBpmnTree } from './export-bpmn.js';
import { IMPORT_CODES, importFlowNode, type ImportCode, type NodeCore } from './import-node.js';
import { indexDiagrams, round, type Bounds, type DiagramIndex } from './layout.js';
import {
  body,
  child,
  children,
  createModdle,
  extensionOf,
  str,
  type ModdleElement,
} from './moddle.js';
import { computeResiduals, knownNamespaces } from './residual.js';

export interface ImportBpmnOptions {
  /** Which process to import when the document has several (default: the first executable one). */
  readonly processId?: string;
}

/** What the importer of one process needs to know about the others imported with it. */
interface ImporterOptions extends ImportBpmnOptions {
  /** Processes imported in the same run (not reported as left out). */
  readonly imported?: ReadonlySet<string>;
  /** Whether this importer reports what belongs to the whole document (default true). */
  readonly documentLevel?: boolean;
}

export type ImportBpmnResult =
  | {
      readonly ok: true;
      readonly definition: ProcessDefinition;
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      readonly ok: false;
      readonly definition?: undefined;
      readonly diagnostics: readonly Diagnostic[];
    };

/** Flow element types the model has no node for and that carry no behaviour. */
const IGNORED_FLOW_ELEMENTS: ReadonlySet<string> = new Set(['bpmn:DataObject']);

/**
 * Imports BPMN 2.0 XML (Ameide's own, bpmn-js, Camunda Modeler, Signavio, ...) into a
 * ProcessDefinition. Layout (BPMN DI) becomes positions and sizes; `ameide:` extensions become
 * bindings. Elements Ameide does not execute stay in the graph as `unsupported` nodes with a
 * diagnostic; other engines' extensions produce a diagnostic each. Everything else the document
 * holds (pools, message flows, groups, data objects, label positions, other tools' extension
 * elements, other processes of the document, ...) is kept in `definition.bpmn`, so `exportBpmn`
 * of the definition gives the document back; what Ameide does not execute is reported with a
 * warning. Never throws: unreadable input gives `ok: false` with an AM100 diagnostic.
 */
export async function importBpmn(
  xml: string,
  options: ImportBpmnOptions = {},
): Promise<ImportBpmnResult> {
  const parsed = await parse(xml);
  if ('ok' in parsed) return parsed;
  try {
    const result = new Importer(parsed, options).run();
    if (!result.ok) return result;
    const residuals = keptOf(parsed, [result.definition]);
    if (Object.keys(residuals).length === 0) return result;
    return { ...result, definition: { ...result.definition, bpmn: { residuals } } };
  } catch (err) {
    return failed(
      IMPORT_CODES.notBpmn,
      `could not import the document: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export type ImportBpmnCollaborationResult =
  | {
      readonly ok: true;
      /** One definition per bpmn:process, in document order; each keeps its own part. */
      readonly definitions: readonly ProcessDefinition[];
      /** The document-level part: collaboration, black-box pools, message flows, diagrams, ... */
      readonly collaboration: BpmnInterchange;
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      readonly ok: false;
      readonly definitions?: undefined;
      readonly collaboration?: undefined;
      readonly diagnostics: readonly Diagnostic[];
    };

/**
 * Imports every process of a BPMN document (a collaboration of pools) as one ProcessDefinition
 * each. What belongs to a process (its nodes' label positions, extension elements, data
 * objects, ...) is kept in that definition's `bpmn`; what belongs to the document (the
 * collaboration, black-box pools, message flows, diagrams, root elements) in `collaboration`.
 * `exportBpmn({ definitions, collaboration })` writes the document back. Never throws.
 */
export async function importBpmnCollaboration(xml: string): Promise<ImportBpmnCollaborationResult> {
  const parsed = await parse(xml);
  if ('ok' in parsed) return parsed;
  try {
    const root = parsed.rootElement;
    if (root.$type !== 'bpmn:Definitions')
      return failed(IMPORT_CODES.notBpmn, `root element is ${root.$type}, not bpmn:definitions`);
    const ids = children(root, 'rootElements')
      .filter((e) => e.$type === 'bpmn:Process')
      .map((p) => String(p.id));
    if (ids.length === 0) return new Importer(parsed, {}).run() as ImportBpmnCollaborationResult;
    const imported = new Set(ids);
    const diagnostics: Diagnostic[] = [];
    const definitions: ProcessDefinition[] = [];
    let ok = true;
    ids.forEach((processId, i) => {
      const result = new Importer(parsed, { processId, imported, documentLevel: i === 0 }).run();
      diagnostics.push(...result.diagnostics);
      if (result.ok) definitions.push(result.definition);
      else ok = false;
    });
    if (!ok) return { ok: false, diagnostics };
    const residuals = keptOf(parsed, definitions);
    const owner = new Map<string, number>();
    definitions.forEach((d, i) => {
      for (const id of [
        d.id,
        ...d.nodes.map((n) => n.id),
        ...d.edges.map((e) => e.id),
        ...d.lanes.map((l) => l.id),
        ...(d.participant ? [d.participant.id] : []),
      ])
        if (!owner.has(id)) owner.set(id, i);
    });
    const perDefinition = definitions.map((): Record<string, Residual> => ({}));
    const document: Record<string, Residual> = {};
    for (const [key, residual] of Object.entries(residuals)) {
      const i = owner.get(key.startsWith('di:') ? key.slice(3) : key);
      if (i === undefined) document[key] = residual;
      else perDefinition[i]![key] = residual;
    }
    return {
      ok: true,
      definitions: definitions.map((d, i) =>
        Object.keys(perDefinition[i]!).length === 0
          ? d
          : { ...d, bpmn: { residuals: perDefinition[i]! } },
      ),
      collaboration: { residuals: document },
      diagnostics,
    };
  } catch (err) {
    return failed(
      IMPORT_CODES.notBpmn,
      `could not import the document: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

async function parse(xml: string): Promise<FromXmlResult | (ImportBpmnResult & { ok: false })> {
  if (typeof xml !== 'string') return failed(IMPORT_CODES.notBpmn, 'input is not a string');
  try {
    return await createModdle().fromXML(xml);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    return failed(IMPORT_CODES.notBpmn, `not BPMN 2.0 XML: ${message}`);
  }
}

/** What the document holds beyond the export of `definitions`, by anchor. */
function keptOf(
  parsed: FromXmlResult,
  definitions: readonly ProcessDefinition[],
): Record<string, Residual> {
  const moddle = createModdle();
  const { root, owned } = buildBpmnTree(moddle, definitions);
  return computeResiduals(parsed.rootElement, root, owned, knownNamespaces(moddle));
}

function failed(code: ImportCode, message: string): ImportBpmnResult & { ok: false } {
  return {
    ok: false,
    diagnostics: [
      { code, severity: 'error', message, elementId: '(document)', elementKind: 'process' },
    ],
  };
}

class Importer {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly di: DiagramIndex;
  private readonly engineDialect: boolean;
  /** Unresolved references by element id and property (`bpmn:sourceRef`). */
  private readonly unresolved = new Map<string, string>();
  private readonly nodes: (NodeCore & { parentId?: string })[] = [];
  private readonly edgesByScope = new Map<string, ModdleElement[]>();
  private readonly scopeOrder: string[] = [];
  private processId = '';

  constructor(
    private readonly parsed: FromXmlResult,
    private readonly options: ImporterOptions,
  ) {
    this.di = indexDiagrams(parsed.rootElement);
    this.engineDialect = isEngineDialect(parsed.rootElement);
  }

  run(): ImportBpmnResult {
    const root = this.parsed.rootElement;
    if (root.$type !== 'bpmn:Definitions')
      return failed(IMPORT_CODES.notBpmn, `root element is ${root.$type}, not bpmn:definitions`);
    const documentLevel = this.options.documentLevel !== false;
    for (const w of this.parsed.warnings) {
      const owner = w.element && typeof w.element.id === 'string' ? w.element.id : undefined;
      if (owner !== undefined && w.property !== undefined && typeof w.value === 'string') {
        this.unresolved.set(`${owner} ${w.property}`, w.value);
      }
      if (documentLevel)
        this.report(
          IMPORT_CODES.unresolvedReference,
          'warning',
          owner ?? '(document)',
          w.element?.$type ?? '',
          w.message.split('\n')[0]!,
        );
    }
    const processes = children(root, 'rootElements').filter((e) => e.$type === 'bpmn:Process');
    const chosen =
      processes.find((p) => p.id === this.options.processId) ??
      (this.options.processId === undefined
        ? (processes.find((p) => p.isExecutable === true) ?? processes[0])
        : undefined);
    if (!chosen) {
      const which =
        this.options.processId === undefined
          ? 'no bpmn:process'
          : `no bpmn:process with id '${this.options.processId}'`;
      return {
        ok: false,
        diagnostics: [
          ...this.diagnostics,
          this.diag(
            IMPORT_CODES.noProcess,
            'error',
            '(document)',
            'bpmn:Definitions',
            `the document has ${which}`,
          ),
        ],
      };
    }
    this.processId = String(chosen.id);
    for (const p of processes) {
      if (p !== chosen && !this.options.imported?.has(String(p.id)))
        this.report(
          IMPORT_CODES.notImported,
          'warning',
          String(p.id),
          p.$type,
          `process '${String(p.id)}' not imported (one process per definition; kept verbatim for export, importBpmnCollaboration imports every process)`,
        );
    }
    for (const ext of foreignExtensions(chosen)) {
      this.report(
        IMPORT_CODES.foreignExtension,
        'warning',
        this.processId,
        chosen.$type,
        `${ext.kind} ${ext.name} ${ext.detail} on the process is not used by Ameide; kept verbatim for export`,
      );
    }
    const participant = this.participant(root, chosen, documentLevel);
    const variables = this.variables(chosen);
    this.walk(chosen, undefined);
    const lanes = this.lanes(chosen);

    const candidate = {
      schemaVersion: 1,
      id: this.processId,
      ...optional('name', str(chosen, 'name')),
      ...optional('documentation', documentationOf(chosen)),
      variables,
      ...(participant ? { participant } : {}),
      lanes,
      nodes: this.nodes.map((n) => this.layoutNode(n)),
      edges: this.scopeOrder.flatMap((scope) =>
        (this.edgesByScope.get(scope) ?? []).map((f) => this.edge(f)),
      ),
    };
    const result = processDefinitionSchema.safeParse(candidate);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const path = formatPath(issue.path);
        this.diagnostics.push({
          ...this.diag(
            IMPORT_CODES.invalidDefinition,
            'error',
            elementAt(candidate, issue.path),
            '',
            `${path}: ${issue.message}`,
          ),
          path,
        });
      }
      return { ok: false, diagnostics: this.diagnostics };
    }
    return { ok: true, definition: result.data, diagnostics: this.diagnostics };
  }

  private diag(
    code: ImportCode,
    severity: Diagnostic['severity'],
    id: string,
    bpmnType: string,
    message: string,
  ): Diagnostic {
    return {
      code,
      severity,
      message,
      elementId: id,
      elementKind: this.kindOf(id),
      ...(bpmnType !== '' ? { bpmnType } : {}),
    };
  }

  private kindOf(id: string): Diagnostic['elementKind'] {
    const type = this.parsed.elementsById[id]?.$type;
    if (type === 'bpmn:SequenceFlow') return 'edge';
    if (type === 'bpmn:Lane') return 'lane';
    if (
      type === undefined ||
      type === 'bpmn:Process' ||
      type === 'bpmn:Participant' ||
      type === 'bpmn:Definitions'
    ) {
      return 'process';
    }
    return 'node';
  }

  private report(
    code: ImportCode,
    severity: Diagnostic['severity'],
    id: string,
    bpmnType: string,
    message: string,
  ): void {
    this.diagnostics.push(this.diag(code, severity, id, bpmnType, message));
  }

  /** Collects the nodes of a container depth-first (children right after their subProcess). */
  private walk(container: ModdleElement, parentId: string | undefined): void {
    const scope = parentId ?? '';
    this.scopeOrder.push(scope);
    for (const el of children(container, 'flowElements')) {
      if (el.$type === 'bpmn:SequenceFlow') {
        const list = this.edgesByScope.get(scope) ?? [];
        list.push(el);
        this.edgesByScope.set(scope, list);
        continue;
      }
      if (IGNORED_FLOW_ELEMENTS.has(el.$type)) continue;
      if (typeof el.id !== 'string') {
        this.report(
          IMPORT_CODES.ignoredElement,
          'warning',
          '(document)',
          el.$type,
          `${el.$type} without id ignored`,
        );
        continue;
      }
      this.reportIgnoredAssociations(el);
      const core = importFlowNode(el, {
        engineDialect: this.engineDialect,
        report: (code, severity, id, type, message) =>
          this.report(code, severity, id, type, message),
      });
      if (core.type === 'boundaryEvent' && core.data.attachedTo === '') {
        core.data.attachedTo = this.unresolved.get(`${core.id} bpmn:attachedToRef`) ?? '';
      }
      this.nodes.push({ ...core, ...(parentId !== undefined ? { parentId } : {}) });
      if (
        children(el, 'flowElements').length > 0 ||
        children(el, 'artifacts').length > 0 ||
        el.$type === 'bpmn:SubProcess'
      ) {
        this.walk(el, core.id);
      }
    }
    for (const artifact of children(container, 'artifacts')) {
      const id = typeof artifact.id === 'string' ? artifact.id : '(document)';
      if (artifact.$type === 'bpmn:TextAnnotation') {
        const text = str(child(artifact, 'text'), 'body') ?? str(artifact, 'text') ?? '';
        this.nodes.push({
          id,
          type: 'textAnnotation',
          data: { text },
          ...(parentId !== undefined ? { parentId } : {}),
        });
      } else {
        this.report(
          IMPORT_CODES.ignoredElement,
          'warning',
          id,
          artifact.$type,
          `${artifact.$type} '${id}' is not executed; kept for export`,
        );
      }
    }
    if (parentId !== undefined && children(container, 'laneSets').length > 0) {
      this.report(
        IMPORT_CODES.ignoredElement,
        'warning',
        parentId,
        'bpmn:LaneSet',
        `lanes inside subProcess '${parentId}' are not in the model; kept for export`,
      );
    }
  }

  private reportIgnoredAssociations(el: ModdleElement): void {
    for (const prop of ['dataInputAssociations', 'dataOutputAssociations']) {
      for (const a of children(el, prop)) {
        this.report(
          IMPORT_CODES.ignoredElement,
          'warning',
          String(el.id),
          a.$type,
          `${a.$type} on '${String(el.id)}' is not executed (kept for export); map data with FEEL input/output instead`,
        );
      }
    }
  }

  private layoutNode(n: NodeCore & { parentId?: string }) {
    const shape = this.di.shapes.get(n.id);
    const parentShape = n.parentId === undefined ? undefined : this.di.shapes.get(n.parentId);
    let origin: Position = { x: 0, y: 0 };
    if (parentShape && shape) {
      // Relative to the subProcess even when drawn on its own plane (bpmn-js drill-down), so
      // that export writes the same coordinates back (and the kept plane takes the shape).
      origin = parentShape.bounds;
      if (parentShape.planeOf !== shape.planeOf && parentShape.isExpanded === false) {
        this.report(
          IMPORT_CODES.missingLayout,
          'info',
          n.id,
          '',
          `'${n.id}' is drawn inside collapsed subProcess '${String(n.parentId)}'; its coordinates come from that subProcess's own diagram`,
        );
      }
    }
    if (!shape) {
      this.report(
        IMPORT_CODES.missingLayout,
        'warning',
        n.id,
        '',
        `'${n.id}' has no BPMN DI shape; placed at 0,0`,
      );
    }
    const b: Bounds = shape?.bounds ?? { x: origin.x, y: origin.y, width: 0, height: 0 };
    return {
      id: n.id,
      type: n.type,
      position: { x: round(b.x - origin.x), y: round(b.y - origin.y) },
      ...(b.width > 0 && b.height > 0 ? { width: round(b.width), height: round(b.height) } : {}),
      ...(n.parentId !== undefined ? { parentId: n.parentId } : {}),
      data: n.data,
    };
  }

  private edge(flow: ModdleElement): ProcessEdge {
    const id = String(flow.id);
    const end = (prop: 'sourceRef' | 'targetRef'): string => {
      const ref = child(flow, prop);
      if (typeof ref?.id === 'string') return ref.id;
      return this.unresolved.get(`${id} bpmn:${prop}`) ?? '';
    };
    const source = child(flow, 'sourceRef');
    const condition = body(child(flow, 'conditionExpression'));
    const language = str(child(flow, 'conditionExpression'), 'language');
    if (language !== undefined && !/feel/i.test(language)) {
      this.report(
        IMPORT_CODES.foreignExtension,
        'warning',
        id,
        flow.$type,
        `condition language '${language}' is not FEEL; kept as written and checked as FEEL`,
      );
    }
    const isDefault = (source && child(source, 'default') === flow) || flow.isDefault === true;
    const waypoints = this.di.waypoints.get(id);
    const name = str(flow, 'name');
    return {
      id,
      source: end('sourceRef'),
      target: end('targetRef'),
      data: {
        ...(name !== undefined ? { name } : {}),
        ...(condition !== undefined
          ? { condition: stripFeelMarker(condition, this.engineDialect) }
          : {}),
        ...(isDefault ? { isDefault: true } : {}),
        ...(waypoints && waypoints.length > 0 ? { waypoints } : {}),
      },
    };
  }

  private variables(process: ModdleElement): ProcessVariable[] {
    const ext = extensionOf(process, 'ameide:Variables');
    return children(ext, 'variables').map((v) => ({
      name: str(v, 'name') ?? '',
      type: (str(v, 'type') ?? 'any') as ProcessVariable['type'],
      ...(typeof v.required === 'boolean' ? { required: v.required } : {}),
      ...optional('description', str(v, 'description')),
    }));
  }

  private lanes(process: ModdleElement): Lane[] {
    const lanes: Lane[] = [];
    const visit = (set: ModdleElement | undefined, nested: boolean): void => {
      for (const lane of children(set, 'lanes')) {
        const id = String(lane.id);
        if (nested)
          this.report(
            IMPORT_CODES.ignoredElement,
            'warning',
            id,
            lane.$type,
            `nested lane '${id}' flattened into the lane list; its nesting is kept for export`,
          );
        const shape = this.di.shapes.get(id);
        if (!shape)
          this.report(
            IMPORT_CODES.missingLayout,
            'warning',
            id,
            lane.$type,
            `lane '${id}' has no BPMN DI shape`,
          );
        const b = shape?.bounds ?? { x: 0, y: 0, width: 1, height: 1 };
        lanes.push({
          id,
          ...optional('name', str(lane, 'name')),
          nodeIds: children(lane, 'flowNodeRef').map((n) => String(n.id)),
          position: { x: round(b.x), y: round(b.y) },
          width: round(b.width) || 1,
          height: round(b.height) || 1,
        });
        visit(child(lane, 'childLaneSet'), true);
      }
    };
    for (const set of children(process, 'laneSets')) visit(set, false);
    return lanes;
  }

  private participant(root: ModdleElement, process: ModdleElement, documentLevel: boolean) {
    let found:
      { id: string; name?: string; position: Position; width: number; height: number } | undefined;
    for (const collaboration of children(root, 'rootElements').filter(
      (e) => e.$type === 'bpmn:Collaboration',
    )) {
      for (const p of children(collaboration, 'participants')) {
        const id = String(p.id);
        if (child(p, 'processRef') === process && !found) {
          const b = this.di.shapes.get(id)?.bounds;
          if (!b) {
            this.report(
              IMPORT_CODES.missingLayout,
              'warning',
              id,
              p.$type,
              `pool '${id}' has no BPMN DI shape; not in the model, kept for export`,
            );
            continue;
          }
          found = {
            id,
            ...optional('name', str(p, 'name')),
            position: { x: round(b.x), y: round(b.y) },
            width: round(b.width) || 1,
            height: round(b.height) || 1,
          };
        } else if (
          documentLevel &&
          !(this.options.imported?.has(String(child(p, 'processRef')?.id)) ?? false)
        ) {
          this.report(
            IMPORT_CODES.notImported,
            'warning',
            id,
            p.$type,
            `pool '${id}'${str(p, 'name') !== undefined ? ` (${str(p, 'name')})` : ''} is not imported as a process; kept for export`,
          );
        }
      }
      for (const artifact of documentLevel ? children(collaboration, 'artifacts') : []) {
        const id = String(artifact.id);
        this.report(
          IMPORT_CODES.ignoredElement,
          'warning',
          id,
          artifact.$type,
          `${artifact.$type} '${id}' of the collaboration is not executed; kept for export`,
        );
      }
      for (const flow of documentLevel ? children(collaboration, 'messageFlows') : []) {
        this.report(
          IMPORT_CODES.ignoredElement,
          'warning',
          String(flow.id),
          flow.$type,
          `message flow '${String(flow.id)}' is not executed (kept for export); Ameide correlates messages by name and key`,
        );
      }
    }
    return found;
  }
}

function documentationOf(el: ModdleElement): string | undefined {
  return children(el, 'documentation')
    .map((d) => str(d, 'text'))
    .find((t) => t !== undefined);
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function elementAt(
  candidate: {
    id: string;
    nodes: { id: string }[];
    edges: { id: string }[];
    lanes: { id: string }[];
  },
  path: readonly PropertyKey[],
): string {
  const [list, index] = path;
  if ((list === 'nodes' || list === 'edges' || list === 'lanes') && typeof index === 'number') {
    return candidate[list][index]?.id ?? candidate.id;
  }
  return candidate.id;
}
