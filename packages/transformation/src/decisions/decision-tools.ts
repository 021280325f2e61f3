import { createHash } from 'node:crypto';
import { create, fromJson } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import type { JsonValue } from '@bufbuild/protobuf';
import {
  DiagnosticSchema,
  DiagnosticSeverity,
  type Diagnostic,
  type EvaluateDecisionRequest,
  type EvaluateDecisionResponse,
  type LintDecisionRequest,
  type LintDecisionResponse,
} from '@ameide/proto';
import {
  compileDecision,
  evaluateDecision,
  isDecisionEvaluationError,
  type DecisionDiagnostic,
  type DecisionPlan,
} from '@ameide/decision';
import { AmeideError, ErrorCode } from '@ameide/errors';
import type { Actor, ArtifactStore } from '../artifacts/artifact-store.js';
import { dmnText } from './decision-definition-rules.js';

/** Largest DMN document LintDecision / EvaluateDecision take inline (the store's content limit). */
const MAX_DMN_BYTES = 4 * 1024 * 1024;

/** LintDecision and EvaluateDecision of TransformationService. */
export interface DecisionTools {
  lint(req: LintDecisionRequest): Promise<Omit<LintDecisionResponse, '$typeName'>>;
  evaluate(
    actor: Actor,
    req: EvaluateDecisionRequest,
  ): Promise<Omit<EvaluateDecisionResponse, '$typeName'>>;
}

export function decisionDiagnosticToProto(d: DecisionDiagnostic): Diagnostic {
  return create(DiagnosticSchema, {
    code: d.code,
    severity: d.severity === 'error' ? DiagnosticSeverity.ERROR : DiagnosticSeverity.WARNING,
    message: d.message,
    elementId: d.ruleId ?? d.decisionId ?? '',
    field: d.location ?? '',
  });
}

function xmlOf(content: Uint8Array, field: string): string {
  if (content.byteLength === 0)
    throw AmeideError.invalidArgument(`${field}: DMN XML required`, [
      { field, description: 'required' },
    ]);
  if (content.byteLength > MAX_DMN_BYTES)
    throw AmeideError.invalidArgument(`${field}: over 4 MiB`, [
      { field, description: 'at most 4 MiB' },
    ]);
  const xml = dmnText(content);
  if (typeof xml !== 'string')
    throw AmeideError.invalidArgument(`${field}: ${xml.description}`, [{ ...xml, field }]);
  return xml;
}

/** Decision tools over the artifact store (published decisions are read through the tenant's RLS). */
export function createDecisionTools(store: Pick<ArtifactStore, 'getPublishedPlan'>): DecisionTools {
  return {
    async lint(req) {
      const compiled = await compileDecision(xmlOf(req.content, 'content'), {
        ...(req.knownInputs.length > 0 ? { knownInputs: req.knownInputs } : {}),
      });
      return {
        diagnostics: compiled.diagnostics.map(decisionDiagnosticToProto),
        plan: compiled.ok ? new TextEncoder().encode(compiled.json) : new Uint8Array(),
        planHash: compiled.ok ? compiled.hash : '',
      };
    },
    async evaluate(actor, req) {
      let plan: DecisionPlan;
      let planHash: string;
      let version = 0;
      if (req.source.case === 'content') {
        const compiled = await compileDecision(xmlOf(req.source.value, 'content'));
        if (!compiled.ok) {
          const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
          throw AmeideError.invalidArgument(
            `content: ${errors.length} lint error(s); first: ${errors[0]?.code} ${errors[0]?.message}`,
            errors.map((d) => ({ field: 'content', description: `${d.code}: ${d.message}` })),
          );
        }
        plan = compiled.plan;
        planHash = compiled.hash;
      } else if (req.source.case === 'name') {
        if (req.version < 0)
          throw AmeideError.invalidArgument('version: must be 0 (latest) or a published version', [
            { field: 'version', description: 'must be 0 (latest) or a published version' },
          ]);
        const found = await store.getPublishedPlan(
          actor,
          { kind: 'decision_definition', name: req.source.value },
          req.version === 0 ? 'latest' : req.version,
        );
        const hash = createHash('sha256').update(found.plan).digest('hex');
        if (hash !== found.version.planHash) {
          throw new AmeideError(
            ErrorCode.DataLoss,
            `decision ${req.source.value} v${found.version.version}: stored plan has hash ${hash}, published as ${found.version.planHash}`,
            { reason: 'PLAN_HASH_MISMATCH', domain: 'ameide.transformation' },
          );
        }
        plan = JSON.parse(new TextDecoder().decode(found.plan)) as DecisionPlan;
        planHash = hash;
        version = found.version.version;
      } else {
        throw AmeideError.invalidArgument('give name (a published decision) or content (DMN XML)', [
          { field: 'name', description: 'required unless content is given' },
        ]);
      }
      if (req.decisionId !== '' && !Object.hasOwn(plan.decisions, req.decisionId)) {
        throw AmeideError.invalidArgument(
          `decision_id: the model has no decision '${req.decisionId}' (it has ${Object.keys(plan.decisions).join(', ')})`,
          [{ field: 'decision_id', description: `not a decision of the model` }],
        );
      }
      if (req.decisionId === '' && plan.defaultDecision === undefined) {
        throw AmeideError.invalidArgument(
          `decision_id: the model has several top-level decisions (${Object.keys(plan.decisions).join(', ')}); name one`,
          [
            {
              field: 'decision_id',
              description: 'required: the model has several top-level decisions',
            },
          ],
        );
      }
      try {
        const result = evaluateDecision(
          plan,
          req.context ?? {},
          req.decisionId ? { decision: req.decisionId } : {},
        );
        return {
          result: fromJson(ValueSchema, result.value as JsonValue),
          decisionId: result.decision,
          matches: Object.entries(result.matchedRules).map(([decisionId, ruleIds]) => ({
            $typeName: 'ameide.transformation.v1.DecisionRuleMatches' as const,
            decisionId,
            ruleIds: [...ruleIds],
          })),
          version,
          planHash,
        };
      } catch (err) {
        if (isDecisionEvaluationError(err)) {
          throw new AmeideError(ErrorCode.FailedPrecondition, err.message, {
            reason: err.code,
            domain: 'ameide.decision',
          });
        }
        throw err;
      }
    },
  };
}
