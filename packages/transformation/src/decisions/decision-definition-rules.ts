import { compileDecision, readDmn, type DecisionDiagnostic } from '@ameide/decision';
import { AmeideError, ErrorCode, type FieldViolation } from '@ameide/errors';
import type { ArtifactKindRules } from '../artifacts/content-rules.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Content types a decision definition is stored as: DMN is XML. */
const XML = /[/+]xml(\s*;|$)/i;

/** A lint finding as a field violation: `<decision>[.<rule>]` and where in the table. */
export function decisionViolation(d: DecisionDiagnostic): FieldViolation {
  const at = [d.decisionId, d.ruleId].filter((x) => x !== undefined && x !== '').join('.');
  return {
    field: `content${at ? `.${at}` : ''}`,
    description: `${d.code}: ${d.message}`,
  };
}

/** Decodes DMN content, refusing bytes that are not UTF-8. */
export function dmnText(content: Uint8Array): string | FieldViolation {
  try {
    return decoder.decode(content);
  } catch {
    return { field: 'content', description: 'DMN XML must be UTF-8' };
  }
}

/**
 * Rules of the `decision_definition` artifact kind: drafts must be DMN 1.3 XML that dmn-moddle
 * reads (lint errors are allowed in a draft); publishing lints (DMN rule codes), refuses on
 * errors and stores the compiled DecisionPlan, whose sha256 is the version's plan hash that
 * business rule tasks are pinned to.
 */
export function decisionDefinitionRules(): ArtifactKindRules {
  return {
    async validate(content, contentType) {
      if (!XML.test(contentType)) {
        return [
          {
            field: 'content_type',
            description: `decision definitions are DMN 1.3 XML (application/xml or application/dmn+xml), not ${contentType}`,
          },
        ];
      }
      const xml = dmnText(content);
      if (typeof xml !== 'string') return [xml];
      const read = await readDmn(xml);
      return read.ok ? [] : [{ field: 'content', description: read.message }];
    },
    async publish(content) {
      const xml = dmnText(content);
      if (typeof xml !== 'string')
        throw AmeideError.invalidArgument(`decision definition: ${xml.description}`, [xml]);
      const compiled = await compileDecision(xml);
      if (!compiled.ok) {
        const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
        const first = errors[0];
        throw new AmeideError(
          ErrorCode.FailedPrecondition,
          `cannot publish: ${errors.length} lint error(s); first: ${first?.code} ${first?.message}`,
          { reason: 'LINT_ERRORS', fieldViolations: errors.map(decisionViolation) },
        );
      }
      return {
        planHash: compiled.hash,
        plan: encoder.encode(compiled.json),
        references: { inputs: compiled.plan.inputData },
      };
    },
  };
}
