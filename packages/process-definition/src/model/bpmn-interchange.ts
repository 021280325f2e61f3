import { z } from 'zod';

/**
 * What a BPMN document holds beyond the ProcessDefinition model, kept so that exporting the
 * definition gives the same document back (lossless interop with other modelling tools).
 *
 * The importer exports the imported model once in memory and keeps the difference between the
 * original document and that export: per element (an *anchor*), the properties the export does
 * not write (label bounds, foreign extension elements and attributes, event definition ids, data
 * associations, ...) and the elements the model has no place for (data objects, groups,
 * associations, black-box pools, message flows, categories, signals, ...), each kept verbatim as
 * a moddle element in JSON. The export builds the document from the model and applies this on
 * top: the model always wins for what it holds (so an edit in the modeller is never undone by
 * what was kept), kept references to elements that no longer exist are dropped.
 *
 * Anchors: an element id the model owns (process, node, edge, lane, participant),
 * `di:<element id>` (its BPMN DI shape or edge), `message:<name>`, `error:<code>`, and
 * `definitions` (the document root: collaboration, diagrams, root elements).
 */

/** A reference to another element by id (moddle reference property). */
export interface EncodedRef {
  readonly $ref: string;
}

/** An element the export writes itself, placed here (e.g. a nested lane inside its parent lane). */
export interface EncodedAnchor {
  readonly $anchor: string;
}

/** A moddle element in JSON: `$type` (`bpmn:Group`, `zeebe:taskDefinition`) and its properties. */
export interface EncodedElement {
  readonly $type: string;
  /** Namespace URI of an element of another tool (generic moddle element). */
  readonly $ns?: string;
  /** Attributes of other namespaces, and namespace declarations. */
  readonly $attrs?: Readonly<Record<string, string>>;
  readonly [property: string]: EncodedValue | undefined;
}

export type EncodedValue =
  | string
  | number
  | boolean
  | EncodedRef
  | EncodedAnchor
  | EncodedElement
  | Readonly<Record<string, string>>
  | readonly EncodedValue[];

/** What the export of one anchor lacks (see the module comment). */
export interface Residual {
  /** The original id of an element whose id the export generates (DI, message, laneSet, ...). */
  readonly $id?: string;
  readonly $attrs?: Readonly<Record<string, string>>;
  /** Properties the export does not write, or writes with a default the original did not have. */
  readonly $set?: Readonly<Record<string, EncodedValue>>;
  /** Properties the export writes as a default that the original did not have. */
  readonly $unset?: readonly string[];
  /** List items the export does not write, appended after the export's own. */
  readonly $add?: Readonly<Record<string, readonly EncodedValue[]>>;
  /** Residuals of generated children, by property and `<$type>#<n>` (n-th of that type). */
  readonly $in?: Readonly<Record<string, Readonly<Record<string, Residual>>>>;
}

/** The kept part of a BPMN document, by anchor. */
export interface BpmnInterchange {
  readonly residuals: Readonly<Record<string, Residual>>;
}

/** Whether every character can be written to XML 1.0. */
function isXmlSafe(value: string): boolean {
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    const ok =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      cp >= 0x10000;
    if (!ok) return false;
  }
  return true;
}

const xmlText = z.string().refine(isXmlSafe, 'contains a character XML cannot carry');
const qualifiedName = z
  .string()
  .regex(/^[A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*$/, 'must be a prefixed XML name (bpmn:Group)');
const attributes = z.record(z.string().regex(/^[A-Za-z_][\w.:-]*$/), xmlText);

export const encodedValueSchema: z.ZodType<EncodedValue> = z.lazy(() =>
  z.union([
    xmlText,
    z.number().refine(Number.isFinite, 'must be finite'),
    z.boolean(),
    z.array(encodedValueSchema),
    z.strictObject({ $ref: z.string().min(1) }),
    z.strictObject({ $anchor: z.string().min(1) }),
    encodedElementSchema,
  ]),
);

export const encodedElementSchema: z.ZodType<EncodedElement> = z.lazy(() =>
  z
    .object({
      $type: qualifiedName,
      $ns: z.string().min(1).optional(),
      $attrs: attributes.optional(),
    })
    .catchall(encodedValueSchema),
) as z.ZodType<EncodedElement>;

export const residualSchema: z.ZodType<Residual> = z.lazy(() =>
  z.strictObject({
    $id: z.string().min(1).optional(),
    $attrs: attributes.optional(),
    $set: z.record(z.string(), encodedValueSchema).optional(),
    $unset: z.array(z.string()).optional(),
    $add: z.record(z.string(), z.array(encodedValueSchema)).optional(),
    $in: z.record(z.string(), z.record(z.string(), residualSchema)).optional(),
  }),
) as z.ZodType<Residual>;

export const bpmnInterchangeSchema: z.ZodType<BpmnInterchange> = z.strictObject({
  residuals: z.record(z.string().min(1), residualSchema),
});
