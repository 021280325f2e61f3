import {
  childElements,
  encodeElement,
  isGeneric,
  isReference,
  ownProperties,
} from '../bpmn/moddle-codec.js';
import { createModdle, isElement, type ModdleElement } from '../bpmn/moddle.js';

/** One way in which an exported BPMN document differs from the original. */
export interface BpmnDifference {
  /** Id of the element of the original (or of the export, for `added`). */
  readonly id: string;
  readonly kind:
    | 'missing'
    | 'type'
    | 'name'
    | 'reference'
    | 'eventDefinition'
    | 'di'
    | 'extension'
    | 'attribute'
    | 'added';
  readonly message: string;
}

const EPSILON = 1e-3;

/**
 * Compares two BPMN documents semantically, through bpmn-moddle, not as text: every element of
 * the original with an id must exist in `exported` with the same type, name and references (by
 * id), the same event definitions (types and references), the same extension elements and
 * attributes of other tools, and, for BPMN DI shapes and edges, the same bounds, waypoints,
 * label bounds and orientation. Elements with an id only `exported` has are reported as
 * `added`. An empty list means the export kept the original.
 */
export async function compareBpmn(
  originalXml: string,
  exportedXml: string,
): Promise<BpmnDifference[]> {
  const [original, exported] = await Promise.all([
    createModdle().fromXML(originalXml),
    createModdle().fromXML(exportedXml),
  ]);
  const a = indexById(original.rootElement);
  const b = indexById(exported.rootElement);
  const out: BpmnDifference[] = [];
  const diff = (id: string, kind: BpmnDifference['kind'], message: string): void => {
    out.push({ id, kind, message });
  };
  for (const [id, oe] of a) {
    const ee = b.get(id);
    if (!ee) {
      diff(id, 'missing', `${oe.$type} '${id}' is missing`);
      continue;
    }
    if (oe.$type !== ee.$type) {
      diff(id, 'type', `'${id}' is ${ee.$type}, was ${oe.$type}`);
      continue;
    }
    if (oe.name !== ee.name) diff(id, 'name', `'${id}' is named ${q(ee.name)}, was ${q(oe.name)}`);
    for (const property of ownProperties(oe)) {
      if (!isReference(oe, property)) continue;
      const was = refIds(oe, property);
      const is = refIds(ee, property);
      if (was !== is) diff(id, 'reference', `'${id}'.${property} is [${is}], was [${was}]`);
    }
    const events = (el: ModdleElement): string =>
      children(el, 'eventDefinitions')
        .map((d) => {
          const refs = ownProperties(d)
            .filter((p) => isReference(d, p))
            .map((p) => `${p}=${refIds(d, p)}`);
          return `${d.$type}(${refs.join(',')})`;
        })
        .join(' ');
    if (events(oe) !== events(ee))
      diff(id, 'eventDefinition', `'${id}' has [${events(ee)}], had [${events(oe)}]`);
    const foreign = (el: ModdleElement): string =>
      children(child(el, 'extensionElements'), 'values')
        .filter(isGeneric)
        .map((x) => JSON.stringify(encodeElement(x, () => undefined)))
        .sort()
        .join('\n');
    if (foreign(oe) !== foreign(ee))
      diff(id, 'extension', `'${id}' has extension elements ${foreign(ee)}, had ${foreign(oe)}`);
    const attrs = (el: ModdleElement): string =>
      Object.entries(el.$attrs ?? {})
        .filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:') && k !== 'xsi:type')
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join(' ');
    if (attrs(oe) !== attrs(ee))
      diff(id, 'attribute', `'${id}' has attributes [${attrs(ee)}], had [${attrs(oe)}]`);
    if (oe.$type === 'bpmndi:BPMNShape' || oe.$type === 'bpmndi:BPMNEdge') {
      for (const problem of diDifferences(oe, ee)) diff(id, 'di', `'${id}' ${problem}`);
    }
  }
  for (const [id, ee] of b) if (!a.has(id)) diff(id, 'added', `${ee.$type} '${id}' was added`);
  return out;
}

function diDifferences(oe: ModdleElement, ee: ModdleElement): string[] {
  const problems: string[] = [];
  const box = (b: ModdleElement | undefined): string =>
    b ? ['x', 'y', 'width', 'height'].map((k) => num(b[k])).join(',') : 'none';
  const same = (x: ModdleElement | undefined, y: ModdleElement | undefined): boolean => {
    if (!x || !y) return x === y;
    return ['x', 'y', 'width', 'height'].every((k) => Math.abs(num(x[k]) - num(y[k])) <= EPSILON);
  };
  if (!same(child(oe, 'bounds'), child(ee, 'bounds')))
    problems.push(`bounds are ${box(child(ee, 'bounds'))}, were ${box(child(oe, 'bounds'))}`);
  const label = (el: ModdleElement) => child(child(el, 'label'), 'bounds');
  if (label(oe) && !same(label(oe), label(ee)))
    problems.push(`label bounds are ${box(label(ee))}, were ${box(label(oe))}`);
  const points = (el: ModdleElement): { x: number; y: number }[] =>
    children(el, 'waypoint').map((p) => ({ x: num(p.x), y: num(p.y) }));
  const pa = points(oe);
  const pb = points(ee);
  if (
    pa.length !== pb.length ||
    pa.some((p, i) => Math.abs(p.x - pb[i]!.x) > EPSILON || Math.abs(p.y - pb[i]!.y) > EPSILON)
  )
    problems.push(`waypoints are ${JSON.stringify(pb)}, were ${JSON.stringify(pa)}`);
  for (const flag of ['isHorizontal', 'isExpanded', 'isMarkerVisible']) {
    if (oe[flag] !== undefined && oe[flag] !== ee[flag])
      problems.push(`${flag} is ${JSON.stringify(ee[flag])}, was ${JSON.stringify(oe[flag])}`);
  }
  return problems;
}

function indexById(root: ModdleElement): Map<string, ModdleElement> {
  const byId = new Map<string, ModdleElement>();
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (typeof el.id === 'string' && !byId.has(el.id)) byId.set(el.id, el);
    for (const c of childElements(el)) stack.push(c.element);
  }
  return byId;
}

function refIds(el: ModdleElement, property: string): string {
  const value = el[property];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list
    .map((v) => (isElement(v) && typeof v.id === 'string' ? v.id : '?'))
    .sort()
    .join(',');
}

function child(el: ModdleElement | undefined, property: string): ModdleElement | undefined {
  const value = el?.[property];
  return isElement(value) ? value : undefined;
}

function children(el: ModdleElement | undefined, property: string): ModdleElement[] {
  const value = el?.[property];
  return Array.isArray(value) ? value.filter(isElement) : [];
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function q(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
