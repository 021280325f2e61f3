// bpmn-moddle 10 ships element typings but no declaration for its entry point.
declare module 'bpmn-moddle' {
  /** Any moddle element; properties are read by name. */
  export interface ModdleElement {
    readonly $type: string;
    $attrs?: Record<string, string>;
    $parent?: ModdleElement;
    [property: string]: unknown;
    get(name: string): unknown;
    set(name: string, value: unknown): void;
  }

  export interface ParseWarning {
    readonly message: string;
    readonly element?: ModdleElement;
    readonly property?: string;
    readonly value?: unknown;
  }

  export interface FromXmlResult {
    readonly rootElement: ModdleElement;
    readonly warnings: ParseWarning[];
    readonly elementsById: Record<string, ModdleElement>;
    readonly references: unknown[];
  }

  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(
      xml: string,
      typeName?: string,
      options?: Record<string, unknown>,
    ): Promise<FromXmlResult>;
    toXML(
      element: ModdleElement,
      options?: { format?: boolean; preamble?: boolean },
    ): Promise<{ xml: string }>;
    create(type: string, attrs?: Record<string, unknown>): ModdleElement;
    createAny(name: string, nsUri: string, properties?: Record<string, unknown>): ModdleElement;
    getType(type: string): unknown;
  }
}
