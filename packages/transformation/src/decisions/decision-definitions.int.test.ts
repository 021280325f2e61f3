import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactKind, DiagnosticSeverity } from '@ameide/proto';
import { isAmeideError, type AmeideClient, type AmeideError } from '@ameide/sdk';
import type { ServiceHost } from '@ameide/server';
import { sha256Hex } from '../artifacts/content-rules.js';
import { openMigratedDatabase } from '../testing/store-fixture.js';
import { startTransformationHost } from '../testing/platform-fixture.js';

const example = (name: string) =>
  readFile(new URL(`../../../../examples/decisions/${name}`, import.meta.url));
const encode = (s: string) => new TextEncoder().encode(s);

async function refusal(p: Promise<unknown>): Promise<AmeideError> {
  try {
    await p;
  } catch (err) {
    if (isAmeideError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** A UNIQUE table whose two rules overlap at total = 100. */
const overlapping = `<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" namespace="n">
  <decision id="fee" name="fee"><decisionTable id="t" hitPolicy="UNIQUE">
    <input id="i"><inputExpression id="ie"><text>total</text></inputExpression></input>
    <output id="o" name="fee" />
    <rule id="small"><inputEntry id="a"><text>&lt;= 100</text></inputEntry><outputEntry id="b"><text>5</text></outputEntry></rule>
    <rule id="large"><inputEntry id="c"><text>&gt;= 100</text></inputEntry><outputEntry id="d"><text>0</text></outputEntry></rule>
  </decisionTable></decision></definitions>`;

describe('decision definitions through TransformationService (pglite)', () => {
  let host: ServiceHost;
  let client: AmeideClient;
  let other: AmeideClient;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openMigratedDatabase('pglite', 'decision_definitions');
    close = opened.close;
    const platform = await startTransformationHost(opened.db);
    host = platform.host;
    client = await platform.clientFor('acme', 'alice');
    other = await platform.clientFor('globex', 'gina');
  });
  afterAll(async () => {
    await host.close();
    await close();
  });

  it('stores DMN as a decision_definition and publishes its compiled, hashed DecisionPlan', async () => {
    const xml = await example('order-discount.dmn');
    const { artifact } = await client.transformation.createArtifact({
      kind: ArtifactKind.DECISION_DEFINITION,
      name: 'order-discount',
      contentType: 'application/dmn+xml',
      content: xml,
    });
    expect(artifact?.kind).toBe(ArtifactKind.DECISION_DEFINITION);
    const published = await client.transformation.publishArtifact({ artifactId: artifact!.id });
    const version = published.artifact!.publishedVersions[0]!;
    const lint = await client.transformation.lintDecision({ content: xml });
    expect(lint.diagnostics).toEqual([]);
    expect(version.planHash).toBe(lint.planHash);
    expect(sha256Hex(lint.plan)).toBe(lint.planHash);

    const evaluated = await client.transformation.evaluateDecision({
      source: { case: 'name', value: 'order-discount' },
      context: { tier: 'gold', total: 1500 },
    });
    expect(evaluated.result?.kind).toEqual({ case: 'numberValue', value: 15 });
    expect(evaluated.decisionId).toBe('order-discount');
    expect(evaluated.version).toBe(1);
    expect(evaluated.planHash).toBe(version.planHash);
    expect(evaluated.matches.map((m) => [m.decisionId, m.ruleIds])).toEqual([
      ['order-discount', ['gold-large']],
    ]);
    // Another tenant does not see it.
    const hidden = await refusal(
      other.transformation.evaluateDecision({ source: { case: 'name', value: 'order-discount' } }),
    );
    expect(hidden.code).toBe('not_found');
  });

  it('refuses a draft that is not DMN 1.3 XML, naming the field', async () => {
    const notXml = await refusal(
      client.transformation.createArtifact({
        kind: ArtifactKind.DECISION_DEFINITION,
        name: 'json-decision',
        contentType: 'application/json',
        content: encode('{}'),
      }),
    );
    expect(notXml.code).toBe('invalid_argument');
    expect(notXml.fieldViolations[0]?.field).toBe('content_type');
    const notDmn = await refusal(
      client.transformation.createArtifact({
        kind: ArtifactKind.DECISION_DEFINITION,
        name: 'bpmn-decision',
        contentType: 'application/xml',
        content: encode('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'),
      }),
    );
    expect(notDmn.code).toBe('invalid_argument');
    expect(notDmn.fieldViolations[0]).toMatchObject({ field: 'content' });
    expect(notDmn.fieldViolations[0]?.description).toMatch(/^not DMN 1\.3 XML/);
  });

  it('keeps a draft with lint errors but refuses to publish it, naming the rules', async () => {
    const { artifact } = await client.transformation.createArtifact({
      kind: ArtifactKind.DECISION_DEFINITION,
      name: 'fee',
      contentType: 'application/xml',
      content: encode(overlapping),
    });
    const lint = await client.transformation.lintDecision({ content: encode(overlapping) });
    expect(lint.planHash).toBe('');
    expect(lint.diagnostics.map((d) => [d.code, d.severity, d.elementId])).toEqual([
      ['DMN007', DiagnosticSeverity.ERROR, 'large'],
    ]);
    const refused = await refusal(
      client.transformation.publishArtifact({ artifactId: artifact!.id }),
    );
    expect(refused.code).toBe('failed_precondition');
    expect(refused.reason).toBe('LINT_ERRORS');
    expect(refused.fieldViolations[0]).toEqual({
      field: 'content.fee.large',
      description:
        "DMN007: decision 'fee': rules 1 ('small') and 2 ('large') both match total = 100; hit policy UNIQUE allows one matching rule",
    });
  });

  it('evaluates DMN sent along, and answers bad requests invalid_argument naming the field', async () => {
    const credit = await example('credit-risk.dmn');
    const evaluated = await client.transformation.evaluateDecision({
      source: { case: 'content', value: credit },
      context: { creditScore: 550, amount: 60000, hasOverdueInvoices: true },
    });
    expect(evaluated.result?.kind.case).toBe('structValue');
    expect(evaluated.version).toBe(0);
    const risk = await client.transformation.evaluateDecision({
      source: { case: 'content', value: credit },
      decisionId: 'risk-points',
      context: { creditScore: 650, amount: 60000, hasOverdueInvoices: false },
    });
    expect(risk.result?.kind).toEqual({ case: 'numberValue', value: 40 });

    const cases: [Promise<unknown>, string][] = [
      [client.transformation.evaluateDecision({}), 'name'],
      [
        client.transformation.evaluateDecision({
          source: { case: 'content', value: credit },
          decisionId: 'nope',
        }),
        'decision_id',
      ],
      [
        client.transformation.evaluateDecision({
          source: { case: 'content', value: encode(overlapping) },
        }),
        'content',
      ],
      [client.transformation.lintDecision({ content: new Uint8Array() }), 'content'],
      [client.transformation.lintDecision({ content: new Uint8Array([0xff, 0xfe]) }), 'content'],
    ];
    for (const [call, field] of cases) {
      const err = await refusal(call);
      expect([err.code, err.fieldViolations[0]?.field]).toEqual(['invalid_argument', field]);
    }
    const missing = await refusal(
      client.transformation.evaluateDecision({
        source: { case: 'name', value: 'no-such-decision' },
      }),
    );
    expect(missing.code).toBe('not_found');
  });

  it('a UNIQUE violation lint could not see is failed_precondition at evaluation, naming the rules', async () => {
    // Entries that compare with other inputs are not decided by lint, so this publishes.
    const xml = `<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" namespace="n">
      <decision id="band" name="band"><decisionTable id="t" hitPolicy="UNIQUE">
        <input id="i"><inputExpression id="ie"><text>total</text></inputExpression></input>
        <output id="o" name="band" />
        <rule id="under-limit"><inputEntry id="a"><text>&lt; limit</text></inputEntry><outputEntry id="b"><text>"under"</text></outputEntry></rule>
        <rule id="over-floor"><inputEntry id="c"><text>&gt; floor</text></inputEntry><outputEntry id="d"><text>"over"</text></outputEntry></rule>
      </decisionTable></decision>
      <inputData id="d1" name="total" /><inputData id="d2" name="limit" /><inputData id="d3" name="floor" />
    </definitions>`;
    const { artifact } = await client.transformation.createArtifact({
      kind: ArtifactKind.DECISION_DEFINITION,
      name: 'band',
      contentType: 'application/xml',
      content: encode(xml),
    });
    await client.transformation.publishArtifact({ artifactId: artifact!.id });
    const ok = await client.transformation.evaluateDecision({
      source: { case: 'name', value: 'band' },
      context: { total: 5, limit: 10, floor: 20 },
    });
    expect(ok.result?.kind).toEqual({ case: 'stringValue', value: 'under' });
    const violated = await refusal(
      client.transformation.evaluateDecision({
        source: { case: 'name', value: 'band' },
        context: { total: 15, limit: 20, floor: 10 },
      }),
    );
    expect([violated.code, violated.reason]).toEqual([
      'failed_precondition',
      'HIT_POLICY_VIOLATION',
    ]);
    expect(violated.message).toMatch(/rules 'under-limit', 'over-floor' all match/);
  });
});
