import type { Diagnostic, ElementKind, Severity, TextSpan } from '../model/diagnostic.js';
import type { ProcessDefinition } from '../model/process-definition.js';
import type { ProcessGraph } from '../graph/process-graph.js';
import type { DefinitionResolver } from './definition-resolver.js';
import type { ServiceRegistry } from './service-registry.js';

/** Options of {@link lintProcessDefinition} (and the compiler, which lints first). */
export interface LintOptions {
  /** Checks service bindings against known RPCs (rule AM025). Skipped when absent. */
  readonly services?: ServiceRegistry;
  /** Checks call activities against published definitions (rule AM026). Skipped when absent. */
  readonly definitions?: DefinitionResolver;
  /** Checks business rule tasks against published decision definitions (rule AM031). Skipped when absent. */
  readonly decisions?: DefinitionResolver;
}

/** A rule of the catalogue: stable code, short name, one-line title, severity. */
export interface LintRuleInfo {
  readonly code: string;
  readonly name: string;
  readonly title: string;
  readonly severity: Exclude<Severity, 'info'>;
}

/** What a rule reports; code and severity come from the rule. */
export interface Finding {
  readonly elementId: string;
  readonly elementKind: ElementKind;
  readonly message: string;
  readonly path?: string;
  readonly span?: TextSpan;
}

export interface RuleContext {
  readonly definition: ProcessDefinition;
  readonly graph: ProcessGraph;
  readonly options: LintOptions;
  readonly report: (finding: Finding) => void;
}

export interface LintRule extends LintRuleInfo {
  check(context: RuleContext): void;
}

/** Helper so rule files read as a table. */
export function defineRule(info: LintRuleInfo, check: (context: RuleContext) => void): LintRule {
  return { ...info, check };
}

export type { Diagnostic };
