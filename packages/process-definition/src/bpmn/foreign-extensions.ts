import { extensions, str, type ModdleElement } from './moddle.js';

/** XML namespaces of other engines' BPMN extensions. */
const FOREIGN_NAMESPACES: Readonly<Record<string, string>> = {
  'http://camunda.org/schema/zeebe/1.0': 'Camunda 8 (Zeebe)',
  'http://camunda.org/schema/1.0/bpmn': 'Camunda 7',
  'http://activiti.org/bpmn': 'Activiti',
  'http://flowable.org/bpmn': 'Flowable',
};

/** Whether the document declares a Camunda/Zeebe-style namespace (FEEL written as `=expr`). */
export function isEngineDialect(definitions: ModdleElement): boolean {
  const attrs = definitions.$attrs ?? {};
  return Object.values(attrs).some((uri) => uri in FOREIGN_NAMESPACES);
}

/** Camunda writes FEEL as `=expr`; Ameide stores the expression alone. */
export function stripFeelMarker(value: string, engineDialect: boolean): string {
  return engineDialect && value.startsWith('=') ? value.slice(1).trim() : value;
}

/** Turns a Zeebe value that is either `=feel` or a literal into FEEL. */
export function zeebeValueToFeel(value: string): string {
  return value.startsWith('=') ? value.slice(1).trim() : JSON.stringify(value);
}

/** Zeebe's comma-separated list literal (`sales, finance`) or `=feel` as a FEEL list. */
export function zeebeListToFeel(value: string): string {
  if (value.startsWith('=')) return value.slice(1).trim();
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}

/** An extension element or attribute from another tool, found on a BPMN element. */
export interface ForeignExtension {
  /** `zeebe:taskDefinition`, `camunda:assignee`, ... */
  readonly name: string;
  readonly kind: 'element' | 'attribute';
  /** Short rendering of its attributes / value for the diagnostic. */
  readonly detail: string;
}

/** Extension elements and attributes of `element` that are neither BPMN nor `ameide:`. */
export function foreignExtensions(element: ModdleElement): ForeignExtension[] {
  const found: ForeignExtension[] = [];
  for (const ext of extensions(element)) {
    if (ext.$type.startsWith('ameide:')) continue;
    const attrs = Object.entries(ext)
      .filter(([k, v]) => !k.startsWith('$') && typeof v === 'string')
      .map(([k, v]) => `${k}="${String(v)}"`)
      .join(' ');
    found.push({ name: ext.$type, kind: 'element', detail: attrs });
  }
  for (const [name, value] of Object.entries(element.$attrs ?? {})) {
    if (name.startsWith('xmlns') || name.startsWith('ameide:')) continue;
    found.push({ name, kind: 'attribute', detail: `"${value}"` });
  }
  return found;
}

/** Attribute of the first extension element of `type`, e.g. `zeebe:taskDefinition` / `type`. */
export function foreignAttribute(
  element: ModdleElement,
  type: string,
  attribute: string,
): string | undefined {
  const ext = extensions(element).find((e) => e.$type === type);
  return str(ext, attribute);
}
