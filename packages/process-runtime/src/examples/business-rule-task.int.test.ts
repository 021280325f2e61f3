import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { workflowIdOf } from '../client/instance-id.js';
import type { Caller, InstanceDetails } from '../client/process-client.js';
import {
  compileDecisionExample,
  compileDmn,
  compileExample,
  compilePlan,
} from '../testing/example-plans.js';
import { CREDIT_APPLICATIONS } from '../testing/example-scenarios.js';
import {
  eventually,
  startRuntimeFixture,
  type RuntimeFixture,
} from '../testing/runtime-fixture.js';

// Business rule tasks on the real Temporal dev server: examples/processes/credit-application.bpmn
// evaluates examples/decisions/credit-risk.dmn inside the workflow and ends at each of its end
// events; the decision version is pinned by its plan hash when the task runs.
let rt: RuntimeFixture;
let creditRiskHash: string;

/** A UNIQUE table whose overlap depends on other inputs, so lint cannot see it. */
const bandDmn = `<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" namespace="n">
  <decision id="band" name="band"><decisionTable id="t" hitPolicy="UNIQUE">
    <input id="i"><inputExpression id="ie"><text>total</text></inputExpression></input>
    <output id="o" name="band" />
    <rule id="under-limit"><inputEntry id="a"><text>&lt; limit</text></inputEntry><outputEntry id="b"><text>"under"</text></outputEntry></rule>
    <rule id="over-floor"><inputEntry id="c"><text>&gt; floor</text></inputEntry><outputEntry id="d"><text>"over"</text></outputEntry></rule>
  </decisionTable></decision></definitions>`;

const bandProcess = (decision: string) => ({
  schemaVersion: 1,
  id: 'banding',
  variables: [],
  nodes: [
    { id: 'S', type: 'startEvent', position: { x: 0, y: 0 }, data: {} },
    {
      id: 'Band',
      type: 'businessRuleTask',
      position: { x: 100, y: 0 },
      data: { binding: { decision, version: 'latest', resultVariable: 'band' } },
    },
    { id: 'E', type: 'endEvent', position: { x: 300, y: 0 }, data: {} },
  ],
  edges: [
    { id: 'F1', source: 'S', target: 'Band' },
    { id: 'F2', source: 'Band', target: 'E' },
  ],
});

beforeAll(async () => {
  rt = await startRuntimeFixture(inject('temporalAddress'), 'business-rule-task');
  const creditRisk = await compileDecisionExample('credit-risk');
  creditRiskHash = creditRisk.hash;
  rt.publishDecision('credit-risk', 1, creditRisk);
  rt.publish('credit-application', 1, await compileExample('credit-application'));
  rt.publishDecision('band', 1, await compileDmn(bandDmn));
  rt.publish('banding', 1, await compilePlan(bandProcess('band')));
  rt.publish(
    'missing-decision',
    1,
    await compilePlan({ ...bandProcess('no-such-decision'), id: 'missing-decision' }),
  );
});
afterAll(() => rt?.close());

async function run(
  caller: Caller,
  name: string,
  variables: Record<string, unknown>,
): Promise<InstanceDetails> {
  const { instanceId } = await rt.processes.start(caller, {
    definition: { name },
    version: 'latest',
    variables,
  });
  return eventually(
    () => rt.processes.get(caller, instanceId),
    (d) => d.status !== 'RUNNING' && d.state !== undefined && d.state.status !== 'RUNNING',
  );
}
const completed = (d: InstanceDetails) =>
  (d.state?.audit ?? []).filter((a) => a.event === 'completed').map((a) => a.nodeId);
const decided = (d: InstanceDetails) =>
  (d.state?.audit ?? []).filter((a) => a.event === 'decisionEvaluated').map((a) => a.detail);

describe('business rule tasks on Temporal', () => {
  it('credit-application reaches each end event by the credit-risk decision', async () => {
    const c = rt.caller('t-brt', 'ana');
    const [referred, conditions, approved] = await Promise.all([
      run(c, 'credit-application', { ...CREDIT_APPLICATIONS.referred }),
      run(c, 'credit-application', { ...CREDIT_APPLICATIONS.conditions }),
      run(c, 'credit-application', { ...CREDIT_APPLICATIONS.approved }),
    ]);
    expect([referred.status, conditions.status, approved.status]).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
    ]);
    expect(referred.state?.variables['risk']).toEqual({ riskClass: 'high', manualReview: true });
    expect(conditions.state?.variables['risk']).toEqual({
      riskClass: 'medium',
      manualReview: false,
    });
    expect(approved.state?.variables['risk']).toEqual({ riskClass: 'low', manualReview: false });
    expect(completed(referred)).toEqual(['Task_AssessRisk', 'Gateway_Risk', 'EndEvent_Referred']);
    expect(completed(conditions).at(-1)).toBe('EndEvent_ApprovedWithConditions');
    expect(completed(approved).at(-1)).toBe('EndEvent_Approved');
    expect(decided(referred)).toEqual([
      `decision credit-risk v1 (${creditRiskHash.slice(0, 12)}) matched risk-points: low-score, large-amount, overdue; credit-risk: points-high`,
    ]);
  });

  it('a task runs the version published when it runs, pinned by hash in its history', async () => {
    const c = rt.caller('t-brt-v2', 'ben');
    // Version 2 refers every application with any risk point to a person.
    const v2 = await compileDmn(
      (await import('node:fs'))
        .readFileSync(
          new URL('../../../../examples/decisions/credit-risk.dmn', import.meta.url),
          'utf8',
        )
        .replace('<text>&gt;= 50</text>', '<text>&gt; 0</text>'),
    );
    expect(v2.hash).not.toBe(creditRiskHash);
    rt.publishDecision('credit-risk', 2, v2, 't-brt-v2');
    const d = await run(c, 'credit-application', { ...CREDIT_APPLICATIONS.conditions });
    expect(d.state?.variables['risk']).toEqual({ riskClass: 'high', manualReview: true });
    expect(decided(d)[0]).toMatch(
      new RegExp(`^decision credit-risk v2 \\(${v2.hash.slice(0, 12)}\\)`),
    );
    // The pinned version and hash are in the recorded activity result.
    const history = await rt.temporal.workflow
      .getHandle(workflowIdOf('t-brt-v2', d.instanceId))
      .fetchHistory();
    const completedActivities = (history.events ?? []).filter(
      (e) => e.activityTaskCompletedEventAttributes,
    );
    const payloads = completedActivities.map((e) =>
      Buffer.from(e.activityTaskCompletedEventAttributes!.result!.payloads![0]!.data!).toString(
        'utf8',
      ),
    );
    expect(payloads.some((p) => p.includes(`"planHash":"${v2.hash}"`))).toBe(true);
    // Another tenant still gets version 1.
    const other = await run(rt.caller('t-brt'), 'credit-application', {
      ...CREDIT_APPLICATIONS.conditions,
    });
    expect(other.state?.variables['risk']).toEqual({ riskClass: 'medium', manualReview: false });
  });

  it('a UNIQUE violation at run time fails the instance with an incident naming the rules', async () => {
    const c = rt.caller('t-brt-band');
    const ok = await run(c, 'banding', { total: 5, limit: 10, floor: 20 });
    expect(ok.status).toBe('COMPLETED');
    expect(ok.state?.variables['band']).toBe('under');
    const bad = await run(c, 'banding', { total: 15, limit: 20, floor: 10 });
    expect(bad.status).toBe('FAILED');
    const incident = bad.state?.audit.find((x) => x.event === 'failed');
    expect(incident?.nodeId).toBe('Band');
    expect(incident?.detail ?? '').toMatch(
      /hit policy UNIQUE but rules 'under-limit', 'over-floor' all match/,
    );
  });

  it('a decision that is not published fails the task without retrying for ever', async () => {
    const d = await run(rt.caller('t-brt-missing'), 'missing-decision', {});
    expect(d.status).toBe('FAILED');
    const failed = d.state?.audit.filter((x) => x.event === 'failed') ?? [];
    expect(failed.map((x) => x.nodeId)).toContain('Band');
    expect(failed.map((x) => x.detail).join('\n')).toMatch(/^DECISION_NOT_PUBLISHED: /m);
    expect(failed.map((x) => x.detail).join('\n')).toMatch(
      /decision definition no-such-decision has no published version latest/,
    );
  });
});
