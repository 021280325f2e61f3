import type { BpmnModdle } from 'bpmn-moddle';
import type { EncodedValue, Residual } from '../model/bpmn-interchange.js';
import {
  childElements,
  createPendingLinks,
  encodeElement,
  encodeRef,
  encodeValue,
  indexIds,
  isReference,
  ownProperties,
  removeElements,
  resolveRefs,
  setDecoded,
  decodeValue,
  type PendingLinks,
} from './moddle-codec.js';
import { isElement, type ModdleElement } from './moddle.js';

/**
 * The difference between an original BPMN document and the export of its imported model
 * (`computeResiduals`), and putting it back on a fresh export (`applyResiduals`). See
 * `model/bpmn-interchange.ts` for the format and the rules.
 */

/** Properties the export writes as a constant, not from the model: the original's value wins. */
const DEFAULTED: Readonly<Record<string, readonly string[]>> = {
  'bpmn:Definitions': ['targetNamespace', 'exporter', 'exporterVersion'],
  'bpmn:Process': ['isExecutable'],
  'bpmn:ScriptTask': ['scriptFormat'],
  'bpmndi:BPMNShape': ['isHorizontal', 'isExpanded'],
  // Errors and escalations are keyed by their code; the export names them by it too.
  'bpmn:Error': ['name'],
  'bpmn:Escalation': ['name'],
};

/** Lists the model owns outright (the original's items are never added to them). */
const OWNED_LISTS: ReadonlySet<string> = new Set([
  'waypoint',
  'flowNodeRef',
  'incoming',
  'outgoing',
]);

/** Namespace URIs the moddle knows (their declarations are written by moddle itself). */
export function knownNamespaces(moddle: BpmnModdle): Set<string> {
  const registry = (moddle as unknown as { registry: { getPackages(): { uri: string }[] } })
    .registry;
  return new Set([
    ...registry.getPackages().map((p) => p.uri),
    'http://www.w3.org/2001/XMLSchema-instance',
  ]);
}

/** Anchor key of an element (see the module comment of bpmn-interchange). */
export function anchorOf(el: ModdleElement, owned: ReadonlySet<string>): string | undefined {
  if (el.$type === 'bpmn:Definitions') return 'definitions';
  if (typeof el.id === 'string' && owned.has(el.id)) return el.id;
  if (el.$type === 'bpmndi:BPMNShape' || el.$type === 'bpmndi:BPMNEdge') {
    const target = (el as { bpmnElement?: unknown }).bpmnElement;
    if (isElement(target) && typeof target.id === 'string' && owned.has(target.id))
      return `di:${target.id}`;
  }
  if (el.$type === 'bpmn:Message' && typeof el.name === 'string') return `message:${el.name}`;
  if (el.$type === 'bpmn:Error' && typeof el.errorCode === 'string' && el.errorCode !== '')
    return `error:${el.errorCode}`;
  if (
    el.$type === 'bpmn:Escalation' &&
    typeof el.escalationCode === 'string' &&
    el.escalationCode !== ''
  )
    return `escalation:${el.escalationCode}`;
  if (el.$type === 'bpmn:Signal' && typeof el.name === 'string' && el.name !== '')
    return `signal:${el.name}`;
  return undefined;
}

interface Tree {
  /** Anchored elements by key (first wins). */
  readonly anchors: Map<string, ModdleElement>;
  /** Key of every anchored element. */
  readonly keyOf: Map<ModdleElement, string>;
  /** Where each element sits. */
  readonly parentOf: Map<ModdleElement, { parent: ModdleElement; property: string }>;
}

function indexTree(root: ModdleElement, owned: ReadonlySet<string>, among?: Tree): Tree {
  const anchors = new Map<string, ModdleElement>();
  const keyOf = new Map<ModdleElement, string>();
  const parentOf = new Map<ModdleElement, { parent: ModdleElement; property: string }>();
  const stack: ModdleElement[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    const key = anchorOf(el, owned);
    // In the original, only what the export also has is anchored.
    if (key !== undefined && !anchors.has(key) && (!among || among.anchors.has(key))) {
      anchors.set(key, el);
      keyOf.set(el, key);
    }
    const kids = childElements(el);
    for (let i = kids.length - 1; i >= 0; i--) {
      const { property, element } = kids[i]!;
      if (!parentOf.has(element)) parentOf.set(element, { parent: el, property });
      stack.push(element);
    }
  }
  return { anchors, keyOf, parentOf };
}

type MutableResidual = {
  $id?: string;
  $attrs?: Record<string, string>;
  $set?: Record<string, EncodedValue>;
  $unset?: string[];
  $add?: Record<string, EncodedValue[]>;
  $in?: Record<string, Record<string, Residual>>;
};

function isEmpty(r: MutableResidual): boolean {
  return Object.keys(r).length === 0;
}

/** Items of a property as a list (a single element is a list of one). */
function itemsOf(el: ModdleElement, property: string): unknown[] {
  const value = (el as Record<string, unknown>)[property];
  if (Array.isArray(value)) return value;
  return value === undefined ? [] : [value];
}

/** Generated (not anchored) element items of a property, grouped `<type>#<n>`. */
function generatedItems(
  el: ModdleElement,
  property: string,
  keyOf: ReadonlyMap<ModdleElement, string>,
): Map<string, ModdleElement> {
  const counts = new Map<string, number>();
  const out = new Map<string, ModdleElement>();
  for (const item of itemsOf(el, property)) {
    if (!isElement(item) || keyOf.has(item)) continue;
    const n = counts.get(item.$type) ?? 0;
    counts.set(item.$type, n + 1);
    out.set(`${item.$type}#${n}`, item);
  }
  return out;
}

/**
 * What `original` holds that `exported` (the export of the model imported from it) lacks, by
 * anchor. `owned` are the ids the model owns.
 */
export function computeResiduals(
  original: ModdleElement,
  exported: ModdleElement,
  owned: ReadonlySet<string>,
  known: ReadonlySet<string>,
): Record<string, Residual> {
  const e = indexTree(exported, owned);
  const o = indexTree(original, owned, e);
  const anchorOfOriginal = (el: ModdleElement): string | undefined => o.keyOf.get(el);
  const encode = (v: unknown) => encodeValue(v, anchorOfOriginal);

  const diff = (oe: ModdleElement, ee: ModdleElement): MutableResidual => {
    const r: MutableResidual = {};
    if (typeof oe.id === 'string' && oe.id !== ee.id) r.$id = oe.id;
    for (const [k, v] of Object.entries(oe.$attrs ?? {})) {
      // The writer declares the namespaces moddle knows itself.
      if ((k === 'xmlns' || k.startsWith('xmlns:')) && known.has(v)) continue;
      // moddle writes xsi:type from the element's type.
      if (k === 'xsi:type') continue;
      if (ee.$attrs?.[k] !== v) (r.$attrs ??= {})[k] = v;
    }
    const defaulted = DEFAULTED[oe.$type] ?? [];
    for (const name of ownProperties(oe)) {
      if (name === 'id') continue;
      const ov = (oe as Record<string, unknown>)[name];
      const ev = (ee as Record<string, unknown>)[name];
      const absent = ev === undefined || (Array.isArray(ev) && ev.length === 0);
      if (isReference(oe, name)) {
        if (absent) {
          const encoded = encodeRef(ov);
          if (encoded !== undefined) (r.$set ??= {})[name] = encoded;
        }
        continue;
      }
      if (absent) {
        if (Array.isArray(ov) && ov.length === 0) continue;
        const encoded = encode(ov);
        if (encoded !== undefined) (r.$set ??= {})[name] = encoded;
        continue;
      }
      if (!isElement(ov) && !Array.isArray(ov)) {
        if (defaulted.includes(name) && ov !== ev) (r.$set ??= {})[name] = ov as EncodedValue;
        continue;
      }
      if (OWNED_LISTS.has(name)) continue;
      const generated = generatedItems(ee, name, e.keyOf);
      const counts = new Map<string, number>();
      for (const item of Array.isArray(ov) ? ov : [ov]) {
        if (!isElement(item)) continue;
        const key = o.keyOf.get(item);
        if (key !== undefined) {
          // Anchored: its own residual covers it; move it here if the export puts it elsewhere.
          const at = e.parentOf.get(e.anchors.get(key)!);
          if (at?.parent !== ee || at.property !== name)
            ((r.$add ??= {})[name] ??= []).push({ $anchor: key });
          continue;
        }
        const n = counts.get(item.$type) ?? 0;
        counts.set(item.$type, n + 1);
        const slot = `${item.$type}#${n}`;
        const match = generated.get(slot);
        if (match) {
          const sub = diff(item, match);
          if (!isEmpty(sub)) ((r.$in ??= {})[name] ??= {})[slot] = sub;
        } else if (Array.isArray(ov)) {
          ((r.$add ??= {})[name] ??= []).push(encodeElement(item, anchorOfOriginal));
        }
        // A single element of another type than the export's: the model owns the property.
      }
    }
    for (const name of DEFAULTED[ee.$type] ?? []) {
      const ov = (oe as Record<string, unknown>)[name];
      const ev = (ee as Record<string, unknown>)[name];
      if (ov === undefined && ev !== undefined) (r.$unset ??= []).push(name);
    }
    return r;
  };

  const residuals: Record<string, Residual> = {};
  for (const [key, oe] of o.anchors) {
    const r = diff(oe, e.anchors.get(key)!);
    if (!isEmpty(r)) residuals[key] = r;
  }
  return residuals;
}

/** Applies residuals (from one or more sources, in order) to a fresh export, in place. */
export function applyResiduals(
  moddle: BpmnModdle,
  exported: ModdleElement,
  owned: ReadonlySet<string>,
  residuals: readonly Readonly<Record<string, Residual>>[],
): void {
  const e = indexTree(exported, owned);
  const pending = createPendingLinks();
  const applied = new Set<string>();
  for (const source of residuals) {
    for (const [key, r] of Object.entries(source)) {
      const el = e.anchors.get(key);
      if (!el || applied.has(key)) continue;
      applied.add(key);
      apply(moddle, el, r, e.keyOf, pending);
    }
  }
  resolveAnchors(pending, e);
  removeElements(exported, resolveRefs(pending, indexIds(exported)));
}

function apply(
  moddle: BpmnModdle,
  el: ModdleElement,
  r: Residual,
  keyOf: ReadonlyMap<ModdleElement, string>,
  pending: PendingLinks,
): void {
  const target = el as Record<string, unknown>;
  if (r.$id !== undefined) target.id = r.$id;
  if (r.$attrs) Object.assign(el.$attrs ?? {}, r.$attrs);
  for (const [property, slots] of Object.entries(r.$in ?? {})) {
    const generated = generatedItems(el, property, keyOf);
    for (const [slot, sub] of Object.entries(slots)) {
      const match = generated.get(slot);
      if (match) apply(moddle, match, sub, keyOf, pending);
    }
  }
  for (const [property, value] of Object.entries(r.$set ?? {})) {
    setDecoded(moddle, el, property, value, pending);
  }
  for (const property of r.$unset ?? []) delete target[property];
  for (const [property, values] of Object.entries(r.$add ?? {})) {
    const decoded = decodeValue(moddle, values, el, property, pending) as unknown[];
    const current = target[property];
    if (Array.isArray(current)) current.push(...decoded);
    else if (current === undefined && decoded.length > 0) {
      target[property] = isMany(el, property) ? decoded : decoded[0];
    }
  }
}

function isMany(el: ModdleElement, property: string): boolean {
  const d = (el as { $descriptor?: { propertiesByName?: Record<string, { isMany?: boolean }> } })
    .$descriptor;
  return d?.propertiesByName?.[property]?.isMany === true;
}

/** Moves anchored elements to the places the residuals name; unused placeholders vanish. */
function resolveAnchors(pending: PendingLinks, tree: Tree): void {
  const moved = new Set<ModdleElement>();
  for (const { holder, property, slot, anchor } of pending.anchors) {
    const found = tree.anchors.get(anchor);
    const value = (holder as Record<string, unknown>)[property];
    const replace = (by: ModdleElement | undefined): void => {
      if (Array.isArray(value)) {
        const i = value.indexOf(slot);
        if (i < 0) return;
        if (by) value[i] = by;
        else value.splice(i, 1);
      } else if (value === slot) {
        if (by) (holder as Record<string, unknown>)[property] = by;
        else delete (holder as Record<string, unknown>)[property];
      }
    };
    if (!found || moved.has(found)) {
      replace(undefined);
      continue;
    }
    const at = tree.parentOf.get(found);
    if (at) {
      const current = (at.parent as Record<string, unknown>)[at.property];
      if (Array.isArray(current)) {
        const i = current.indexOf(found);
        if (i >= 0) current.splice(i, 1);
      } else if (current === found) delete (at.parent as Record<string, unknown>)[at.property];
    }
    moved.add(found);
    tree.parentOf.set(found, { parent: holder, property });
    replace(found);
  }
}
