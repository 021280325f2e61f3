// bpmnlint 11 ships no declarations for its entry points (devDependency, used by the cross-check test).
declare module 'bpmnlint' {
  export interface BpmnlintReport {
    readonly id?: string;
    readonly message: string;
    readonly category?: string;
  }
  export class Linter {
    constructor(options: { config: Record<string, unknown>; resolver: unknown });
    lint(root: unknown): Promise<Record<string, BpmnlintReport[]>>;
  }
}

declare module 'bpmnlint/lib/resolver/node-resolver.js' {
  export default class NodeResolver {
    constructor(options?: Record<string, unknown>);
  }
}

declare module 'bpmnlint/config/recommended.js' {
  const recommended: { rules: Record<string, string> };
  export default recommended;
}
