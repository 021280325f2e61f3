import type { BpmnModdle } from 'bpmn-moddle';
import type { EncodedElement, EncodedValue } from '../model/bpmn-interchange.js';
import { isElement, type ModdleElement } from './moddle.js';

/**
 * moddle elements ⇄ JSON (see `model/bpmn-interchange.ts`). References become `{ $ref: id }`,
 * elements another part of the export writes become `{ $anchor: key }`, elements of other
 * tools' namespaces keep their namespace URI, attributes, children and text.
 */

interface PropertyDescriptor {
  readonly isReference?: boolean;
  readonly isMany?: boolean;
}

function descriptorOf(el: ModdleElement, name: string): PropertyDescriptor | undefined {
  const d = (el as { $descriptor?: { propertiesByName?: Record<string, PropertyDescriptor> } })
    .$descriptor;
  return d?.propertiesByName?.[name];
}

/** Whether `name` is a reference property of `el` (written as an id). */
export function isReference(el: ModdleElement, name: string): boolean {
  return descriptorOf(el, name)?.isReference === true;
}

/** Whether `el` is an element of a namespace moddle does not know (another tool's extension). */
export function isGeneric(el: ModdleElement): boolean {
  const d = (el as { $descriptor?: { isGeneric?: boolean } }).$descriptor;
  return d?.isGeneric === true;
}

/** The properties an element has set, in a stable order (references included). */
export function ownProperties(el: ModdleElement): string[] {
  const names = Object.getOwnPropertyNames(el).filter(
    (n) => !n.startsWith('$') && (el as Record<string, unknown>)[n] !== undefined,
  );
  if (isGeneric(el)) {
    if (el.$body !== undefined) names.push('$body');
    if (Array.isArray(el.$children) && el.$children.length > 0) names.push('$children');
  }
  return names;
}

/** Child elements of `el` (not references), in property order. */
export function childElements(el: ModdleElement): { property: string; element: ModdleElement }[] {
  const out: { property: string; element: ModdleElement }[] = [];
  for (const property of ownProperties(el)) {
    if (isReference(el, property)) continue;
    const value = (el as Record<string, unknown>)[property];
    if (Array.isArray(value)) {
      for (const v of value) if (isElement(v)) out.push({ property, element: v });
    } else if (isElement(value)) out.push({ property, element: value });
  }
  return out;
}

export function encodeRef(value: unknown): EncodedValue | undefined {
  if (Array.isArray(value)) {
    const refs = value.map(encodeRef).filter((v) => v !== undefined);
    return refs;
  }
  if (isElement(value) && typeof value.id === 'string') return { $ref: value.id };
  return undefined;
}

/** Encodes a property value; `anchorOf` names elements written elsewhere by the export. */
export function encodeValue(
  value: unknown,
  anchorOf: (el: ModdleElement) => string | undefined,
): EncodedValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) {
    return value.map((v) => encodeValue(v, anchorOf)).filter((v) => v !== undefined);
  }
  if (isElement(value)) {
    const anchor = anchorOf(value);
    return anchor !== undefined ? { $anchor: anchor } : encodeElement(value, anchorOf);
  }
  return undefined;
}

/** Encodes an element and everything under it (refs by id). */
export function encodeElement(
  el: ModdleElement,
  anchorOf: (el: ModdleElement) => string | undefined,
): EncodedElement {
  const out: Record<string, EncodedValue> = { $type: el.$type };
  if (isGeneric(el)) {
    const ns = (el as { $descriptor?: { ns?: { uri?: string } } }).$descriptor?.ns?.uri;
    if (ns !== undefined) out.$ns = ns;
  }
  const attrs = Object.entries(el.$attrs ?? {});
  if (attrs.length > 0) out.$attrs = Object.fromEntries(attrs);
  for (const name of ownProperties(el)) {
    const value = (el as Record<string, unknown>)[name];
    const encoded = isReference(el, name) ? encodeRef(value) : encodeValue(value, anchorOf);
    if (encoded !== undefined) out[name] = encoded;
  }
  return out as EncodedElement;
}

/** Work left after decoding: references and anchors resolve once the whole tree exists. */
export interface PendingLinks {
  readonly refs: { holder: ModdleElement; property: string; ids: string[]; many: boolean }[];
  readonly anchors: { holder: ModdleElement; property: string; slot: object; anchor: string }[];
  /** Elements built from kept JSON (only these are dropped for a missing reference). */
  readonly decoded: Set<ModdleElement>;
}

export function createPendingLinks(): PendingLinks {
  return { refs: [], anchors: [], decoded: new Set() };
}

/**
 * Decodes a value for `holder[property]`. Anchors become placeholder objects in the returned
 * value (replaced by `resolveAnchors`); references are recorded and set by `resolveRefs`.
 * Returns `undefined` for what cannot be built (an unknown element type).
 */
export function decodeValue(
  moddle: BpmnModdle,
  value: EncodedValue,
  holder: ModdleElement,
  property: string,
  pending: PendingLinks,
): unknown {
  if (Array.isArray(value)) {
    return value
      .map((v: EncodedValue) => decodeValue(moddle, v, holder, property, pending))
      .filter((v) => v !== undefined);
  }
  if (typeof value !== 'object') return value;
  if ('$anchor' in value && typeof value.$anchor === 'string') {
    const slot = {};
    pending.anchors.push({ holder, property, slot, anchor: value.$anchor });
    return slot;
  }
  if ('$type' in value && typeof value.$type === 'string') {
    return decodeElement(moddle, value as EncodedElement, pending);
  }
  return undefined;
}

export function decodeElement(
  moddle: BpmnModdle,
  encoded: EncodedElement,
  pending: PendingLinks,
): ModdleElement | undefined {
  let el: ModdleElement;
  try {
    el =
      encoded.$ns !== undefined
        ? moddle.createAny(encoded.$type, encoded.$ns, {})
        : moddle.create(encoded.$type);
  } catch {
    return undefined;
  }
  if (encoded.$ns === undefined && isGeneric(el)) return undefined;
  pending.decoded.add(el);
  if (encoded.$attrs) Object.assign(el.$attrs ?? {}, encoded.$attrs);
  for (const [name, value] of Object.entries(encoded)) {
    if (name === '$type' || name === '$ns' || name === '$attrs' || value === undefined) continue;
    setDecoded(moddle, el, name, value, pending);
  }
  return el;
}

/** Sets `el[name]` from an encoded value (references pending). */
export function setDecoded(
  moddle: BpmnModdle,
  el: ModdleElement,
  name: string,
  value: EncodedValue,
  pending: PendingLinks,
): void {
  const target = el as Record<string, unknown>;
  if (isRefValue(value)) {
    const many = Array.isArray(value);
    const list: readonly EncodedValue[] = many ? value : [value];
    const ids: string[] = [];
    for (const v of list) {
      const ref =
        typeof v === 'object' && !Array.isArray(v) ? (v as { $ref?: unknown }).$ref : undefined;
      if (typeof ref === 'string') ids.push(ref);
    }
    pending.refs.push({ holder: el, property: name, ids, many });
    return;
  }
  const decoded = decodeValue(moddle, value, el, name, pending);
  if (decoded !== undefined) target[name] = decoded;
}

function isRefValue(value: EncodedValue): boolean {
  const one = (v: EncodedValue): boolean =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && '$ref' in v;
  return Array.isArray(value) ? value.length > 0 && value.every(one) : one(value);
}

/** References without which a kept element means nothing (a flow without an end, a shape of nothing). */
const REQUIRED_REFS: ReadonlySet<string> = new Set([
  'sourceRef',
  'targetRef',
  'bpmnElement',
  'attachedToRef',
]);

/**
 * Sets the pending references by id; references to ids that do not exist are dropped, and so is
 * an element that loses one it cannot do without (returned: the caller removes them from the
 * tree), transitively (the DI shape of a dropped association goes too).
 */
export function resolveRefs(
  pending: PendingLinks,
  byId: ReadonlyMap<string, ModdleElement>,
): Set<ModdleElement> {
  const dropped = new Set<ModdleElement>();
  for (let changed = true; changed;) {
    changed = false;
    for (const { holder, property, ids } of pending.refs) {
      if (dropped.has(holder) || !pending.decoded.has(holder) || !REQUIRED_REFS.has(property))
        continue;
      const live = ids.filter((id) => {
        const el = byId.get(id);
        return el !== undefined && !dropped.has(el);
      });
      if (live.length === 0) {
        dropped.add(holder);
        changed = true;
      }
    }
  }
  for (const { holder, property, ids, many } of pending.refs) {
    if (dropped.has(holder)) continue;
    const found = ids
      .map((id) => byId.get(id))
      .filter((x): x is ModdleElement => x !== undefined && !dropped.has(x));
    const target = holder as Record<string, unknown>;
    if (many) {
      if (found.length > 0) target[property] = found;
    } else if (found[0] !== undefined) target[property] = found[0];
  }
  return dropped;
}

/** Removes `dropped` elements wherever they sit under `root`. */
export function removeElements(root: ModdleElement, dropped: ReadonlySet<ModdleElement>): void {
  if (dropped.size === 0) return;
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    const target = el as Record<string, unknown>;
    for (const property of ownProperties(el)) {
      if (isReference(el, property)) continue;
      const value = target[property];
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) {
          if (dropped.has(value[i] as ModdleElement)) value.splice(i, 1);
        }
        for (const v of value) if (isElement(v)) stack.push(v);
      } else if (isElement(value)) {
        if (dropped.has(value)) delete target[property];
        else stack.push(value);
      }
    }
  }
}

/** Every element with an id in the tree under `root` (first wins). */
export function indexIds(root: ModdleElement): Map<string, ModdleElement> {
  const byId = new Map<string, ModdleElement>();
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (typeof el.id === 'string' && !byId.has(el.id)) byId.set(el.id, el);
    for (const c of childElements(el)) stack.push(c.element);
  }
  return byId;
}
