// dmn-moddle 12 ships no type declarations.
declare module 'dmn-moddle' {
  export interface DmnElement {
    readonly $type: string;
    [property: string]: unknown;
  }
  export class DmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(
      xml: string,
      typeName?: string,
    ): Promise<{ rootElement: DmnElement; warnings: { message: string }[] }>;
  }
}
