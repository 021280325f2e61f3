/**
 * How each rule of bpmnlint's `recommended` config relates to Ameide's lint: the Ameide codes
 * that report the same structural problem, or why Ameide deliberately permits what the rule
 * flags. The cross-check test (`bpmnlint-cross-check.unit.test.ts`) runs bpmnlint on exported
 * models and requires, for every report of a mapped rule, one of the mapped Ameide diagnostics
 * on the same element or its neighbourhood (its flows, their ends, its children, its parent).
 */
export type BpmnlintRuleMapping =
  | { readonly codes: readonly string[] }
  | { readonly never: string }
  | { readonly permitted: string };

export const BPMNLINT_RULE_MAP: Readonly<Record<string, BpmnlintRuleMapping>> = {
  'ad-hoc-sub-process': { codes: ['AM028'] },
  'conditional-flows': { codes: ['AM013', 'AM015', 'AM028'] },
  'end-event-required': { codes: ['AM007', 'AM008'] },
  'event-based-gateway': { codes: ['AM016', 'AM028'] },
  'event-sub-process-typed-start-event': { codes: ['AM028'] },
  'fake-join': {
    permitted:
      'an activity with several incoming flows runs once per arriving token, as BPMN defines; Ameide executes it and models keep such merges',
  },
  global: {
    permitted:
      'global elements (messages, errors, ...) are written by the export only when used, by name; duplicates only come from imported documents and do not change execution',
  },
  'label-required': { permitted: 'names are optional in a ProcessDefinition (purely stylistic)' },
  'link-event': { codes: ['AM028'] },
  'no-bpmndi': { never: 'the export writes BPMN DI for every node and flow' },
  'no-complex-gateway': { codes: ['AM028'] },
  'no-disconnected': { codes: ['AM001', 'AM006', 'AM007'] },
  'no-duplicate-sequence-flows': { codes: ['AM040'] },
  'no-gateway-join-fork': {
    permitted:
      'a gateway that joins and splits is well defined (join, then split) and the interpreter runs it so; bpmnlint flags a modelling style',
  },
  'no-implicit-end': { codes: ['AM007'] },
  'no-implicit-split': { codes: ['AM019'] },
  'no-implicit-start': { codes: ['AM001', 'AM006'] },
  'no-inclusive-gateway': {
    permitted: 'Ameide executes inclusive gateways (split and synchronising join)',
  },
  'no-overlapping-elements': {
    permitted: 'layout only: Ameide lint checks semantics, not diagram geometry',
  },
  'single-blank-start-event': { codes: ['AM002'] },
  'single-event-definition': { codes: ['AM028'] },
  'start-event-required': { codes: ['AM001'] },
  'sub-process-blank-start-event': { codes: ['AM004'] },
  'superfluous-gateway': {
    permitted: 'a pass-through gateway (one in, one out) changes nothing at run time (stylistic)',
  },
  'superfluous-label': { permitted: 'labels are documentation (stylistic)' },
  'superfluous-termination': {
    permitted:
      'a terminate end event where a none end event would do ends the same way (stylistic)',
  },
};
