import { describe, expect, it } from 'vitest';
import { compileDecisionExample, compileExample } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import type { LoadedDecision } from '../types.js';

// A business rule task on the fake port: one loadDecision activity, then the evaluation in the
// engine (business-rule-task.int.test.ts runs the same example on Temporal).

async function creditRisk(version = 1): Promise<LoadedDecision> {
  const compiled = await compileDecisionExample('credit-risk');
  return {
    ref: {
      definitionId: 'decision-credit-risk',
      name: 'credit-risk',
      version,
      planHash: compiled.hash,
    },
    planJson: compiled.json,
  };
}

describe('business rule tasks', () => {
  it('load the decision once, evaluate it over the input mapping and take the gateway by its result', async () => {
    const loaded = await creditRisk();
    const asked: unknown[] = [];
    const i = await startFakeInstance(await compileExample('credit-application'), {
      variables: { creditScore: 650, amount: 60000 },
      world: {
        loadDecision: (tenantId, name, version) => {
          asked.push([tenantId, name, version]);
          return loaded;
        },
      },
    });
    expect(asked).toEqual([['acme', 'credit-risk', 'latest']]);
    expect(
      i.port.commands
        .filter((c) => c.type === 'activity')
        .map((c) => c.type === 'activity' && c.name),
    ).toEqual(['loadPlan', 'loadDecision']);
    expect(i.engine.state.variables['risk']).toEqual({ riskClass: 'medium', manualReview: false });
    expect(i.completed()).toEqual([
      'Task_AssessRisk',
      'Gateway_Risk',
      'EndEvent_ApprovedWithConditions',
    ]);
    const audit = i.engine.state.audit.find((a) => a.event === 'decisionEvaluated');
    expect(audit).toMatchObject({
      nodeId: 'Task_AssessRisk',
      detail: `decision credit-risk v1 (${loaded.ref.planHash.slice(0, 12)}) matched risk-points: fair-score, large-amount; credit-risk: points-medium`,
    });
  });

  it('a plan that is not a DecisionPlan is an incident of the task', async () => {
    const loaded = await creditRisk();
    const i = await startFakeInstance(await compileExample('credit-application'), {
      variables: { creditScore: 650, amount: 60000 },
      world: { loadDecision: () => ({ ...loaded, planJson: '{ not json' }) },
    });
    expect(i.ended()?.end).toMatchObject({ type: 'failed', failureType: 'ProcessIncident' });
    expect(i.engine.state.audit.find((a) => a.event === 'failed')).toMatchObject({
      nodeId: 'Task_AssessRisk',
    });
  });
});
