import { DmnModdle } from 'dmn-moddle';

/** DMN 1.3's model namespace: the only one dmn-moddle 12 reads. */
export const DMN13_NAMESPACE = 'https://www.omg.org/spec/DMN/20191111/MODEL/';

/** A decision table as written, before lint: hit policy and aggregation are unchecked text. */
export interface DmnTable {
  readonly type: 'decisionTable';
  readonly id: string;
  readonly hitPolicy: string;
  readonly aggregation?: string;
  readonly inputs: readonly {
    readonly id: string;
    readonly label?: string;
    readonly expression: string;
    readonly typeRef?: string;
    readonly inputValues?: string;
  }[];
  readonly outputs: readonly {
    readonly id: string;
    readonly name?: string;
    readonly label?: string;
    readonly typeRef?: string;
    readonly outputValues?: string;
    readonly defaultOutputEntry?: string;
  }[];
  readonly rules: readonly {
    readonly id: string;
    readonly description?: string;
    readonly inputEntries: readonly string[];
    readonly outputEntries: readonly string[];
  }[];
}

export type DmnLogic =
  | DmnTable
  | { readonly type: 'literalExpression'; readonly expression: string }
  | { readonly type: 'unsupported'; readonly dmnType: string };

export interface DmnDecision {
  readonly id: string;
  readonly name: string;
  /** Required decisions by id (`#id` hrefs with the `#` removed), in document order. */
  readonly requires: readonly string[];
  /** Required input data by id. */
  readonly requiresInputs: readonly string[];
  readonly logic: DmnLogic;
}

/** A DMN document read into plain data (no moddle objects). */
export interface DmnDocument {
  readonly id: string;
  readonly name?: string;
  readonly decisions: readonly DmnDecision[];
  /** `inputData` elements: id and variable name. */
  readonly inputData: readonly { readonly id: string; readonly name: string }[];
  /** Warnings of the XML reader (unknown elements or attributes). */
  readonly warnings: readonly string[];
}

export type ReadDmnResult =
  | { readonly ok: true; readonly document: DmnDocument }
  | { readonly ok: false; readonly message: string };

type El = Record<string, unknown> & { readonly $type: string };

/** Reads DMN 1.3 XML with dmn-moddle. Never throws: XML that is not DMN 1.3 gives `ok: false`. */
export async function readDmn(xml: string): Promise<ReadDmnResult> {
  if (xml.trim() === '') return { ok: false, message: 'the DMN document is empty' };
  let parsed: { rootElement: El; warnings: { message: string }[] };
  try {
    parsed = await new DmnModdle().fromXML(xml, 'dmn:Definitions');
  } catch (err) {
    const hint = /omg\.org\/spec\/DMN\/20151101|dmn\.xsd|DMN\/20180521/.test(xml)
      ? ` (the document uses an older DMN namespace; Ameide reads DMN 1.3, ${DMN13_NAMESPACE})`
      : '';
    return { ok: false, message: `not DMN 1.3 XML: ${(err as Error).message}${hint}` };
  }
  const root = parsed.rootElement;
  if (!root || root.$type !== 'dmn:Definitions')
    return {
      ok: false,
      message: `not DMN 1.3 XML: the root element is not <definitions> of ${DMN13_NAMESPACE}`,
    };
  const decisions: DmnDecision[] = [];
  const inputData: { id: string; name: string }[] = [];
  for (const el of list(root.drgElement)) {
    if (el.$type === 'dmn:Decision') decisions.push(readDecision(el));
    else if (el.$type === 'dmn:InputData') {
      const id = str(el.id) ?? '';
      inputData.push({ id, name: str(el.name) ?? str(obj(el.variable)?.name) ?? id });
    }
  }
  return {
    ok: true,
    document: {
      id: str(root.id) ?? '',
      ...(str(root.name) !== undefined ? { name: str(root.name)! } : {}),
      decisions,
      inputData,
      warnings: parsed.warnings.map((w) => w.message),
    },
  };
}

function readDecision(el: El): DmnDecision {
  const id = str(el.id) ?? '';
  const requires: string[] = [];
  const requiresInputs: string[] = [];
  for (const req of list(el.informationRequirement)) {
    const decision = href(req.requiredDecision);
    const input = href(req.requiredInput);
    if (decision !== undefined) requires.push(decision);
    if (input !== undefined) requiresInputs.push(input);
  }
  return {
    id,
    name: str(el.name) ?? str(obj(el.variable)?.name) ?? id,
    requires,
    requiresInputs,
    logic: readLogic(obj(el.decisionLogic)),
  };
}

function readLogic(logic: El | undefined): DmnLogic {
  if (!logic) return { type: 'unsupported', dmnType: 'none' };
  if (logic.$type === 'dmn:LiteralExpression')
    return { type: 'literalExpression', expression: str(logic.text) ?? '' };
  if (logic.$type !== 'dmn:DecisionTable') return { type: 'unsupported', dmnType: logic.$type };
  return {
    type: 'decisionTable',
    id: str(logic.id) ?? '',
    hitPolicy: str(logic.hitPolicy) ?? 'UNIQUE',
    ...opt('aggregation', str(logic.aggregation)),
    inputs: list(logic.input).map((input) => {
      const expr = obj(input.inputExpression);
      return {
        id: str(input.id) ?? '',
        ...opt('label', str(input.label)),
        expression: str(expr?.text) ?? '',
        ...opt('typeRef', str(expr?.typeRef)),
        ...opt('inputValues', str(obj(input.inputValues)?.text)),
      };
    }),
    outputs: list(logic.output).map((output) => ({
      id: str(output.id) ?? '',
      ...opt('name', str(output.name)),
      ...opt('label', str(output.label)),
      ...opt('typeRef', str(output.typeRef)),
      ...opt('outputValues', str(obj(output.outputValues)?.text)),
      ...opt('defaultOutputEntry', str(obj(output.defaultOutputEntry)?.text)),
    })),
    rules: list(logic.rule).map((rule) => ({
      id: str(rule.id) ?? '',
      ...opt('description', str(rule.description)),
      inputEntries: list(rule.inputEntry).map((e) => str(e.text) ?? ''),
      outputEntries: list(rule.outputEntry).map((e) => str(e.text) ?? ''),
    })),
  };
}

function href(ref: unknown): string | undefined {
  const value = str(obj(ref)?.href);
  if (value === undefined) return undefined;
  const hash = value.lastIndexOf('#');
  return hash === -1 ? value : value.slice(hash + 1);
}

function list(value: unknown): El[] {
  return Array.isArray(value) ? (value as El[]) : [];
}
function obj(value: unknown): El | undefined {
  return value !== null && typeof value === 'object' ? (value as El) : undefined;
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
