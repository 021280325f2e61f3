import { BpmnModdle, type ModdleElement } from 'bpmn-moddle';
import { ameideModdleDescriptor } from './ameide-moddle-descriptor.js';

export type { ModdleElement };

/** A BpmnModdle that knows the `ameide:` extension. */
export function createModdle(): BpmnModdle {
  // moddle keeps and may annotate the package object: give it its own copy.
  return new BpmnModdle({ ameide: structuredClone(ameideModdleDescriptor) });
}

export function str(element: ModdleElement | undefined, property: string): string | undefined {
  const value = element?.[property];
  return typeof value === 'string' ? value : undefined;
}

export function child(
  element: ModdleElement | undefined,
  property: string,
): ModdleElement | undefined {
  const value = element?.[property];
  return isElement(value) ? value : undefined;
}

export function children(element: ModdleElement | undefined, property: string): ModdleElement[] {
  const value = element?.[property];
  return Array.isArray(value) ? value.filter(isElement) : [];
}

export function isElement(value: unknown): value is ModdleElement {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $type?: unknown }).$type === 'string'
  );
}

/**
 * Text body of an expression-like element as written (FEEL ignores the whitespace, and
 * keeping it makes export → import exact); `''` for an empty element, `undefined` when absent.
 */
export function body(element: ModdleElement | undefined): string | undefined {
  if (element === undefined) return undefined;
  return str(element, 'body') ?? '';
}

/** Extension elements of an element (bpmn:extensionElements values). */
export function extensions(element: ModdleElement): ModdleElement[] {
  return children(child(element, 'extensionElements'), 'values');
}

export function extensionOf(element: ModdleElement, type: string): ModdleElement | undefined {
  return extensions(element).find((e) => e.$type === type);
}
