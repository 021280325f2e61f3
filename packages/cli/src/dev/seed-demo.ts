import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentProposalReviewDefinition, PROPOSAL_REVIEW_PROCESS } from '@ameide/agent-runtime';
import { importBpmn } from '@ameide/process-definition';
import { isAmeideError } from '@ameide/errors';
import type { SalesDomain } from '@ameide/sales';
import type { ArtifactStore } from '@ameide/transformation';

/** Where the example processes live in the repository. */
export const examplesDir = fileURLToPath(
  new URL('../../../../examples/processes', import.meta.url),
);

/** Where the example DMN decisions live in the repository. */
export const decisionExamplesDir = fileURLToPath(
  new URL('../../../../examples/decisions', import.meta.url),
);

/** Where the example agents live in the repository. */
export const agentExamplesDir = fileURLToPath(
  new URL('../../../../examples/agents', import.meta.url),
);

/** The tenant the embedded platform seeds with examples. */
export const DEMO_TENANT = 'demo';

export interface SeedResult {
  /** The process definitions published. */
  readonly published: string[];
  readonly skipped: boolean;
}

/** What {@link seedDemoProcesses} published. */
export interface ProcessSeedResult extends SeedResult {
  /** The decision definitions published first (business rule tasks name them). */
  readonly decisions: string[];
}

/**
 * First start only: publishes every example DMN file as a decision definition of the demo
 * tenant, then imports every example BPMN file as a process definition and publishes it
 * (callees before callers: a definition whose call activity names an unpublished definition
 * is retried after the others). Does nothing when the demo tenant already has process
 * definitions.
 */
export async function seedDemoProcesses(
  store: ArtifactStore,
  dir = examplesDir,
  decisionsDir = decisionExamplesDir,
): Promise<ProcessSeedResult> {
  const actor = { tenantId: DEMO_TENANT, userId: 'ameide-seed' };
  const existing = await store.list(actor, { kind: 'process_definition', pageSize: 1 });
  if (existing.artifacts.length > 0) return { published: [], decisions: [], skipped: true };
  const decisions: string[] = [];
  for (const file of (await readdir(decisionsDir)).filter((f) => f.endsWith('.dmn')).sort()) {
    const name = basename(file, '.dmn');
    const created = await store.create(actor, {
      kind: 'decision_definition',
      name,
      contentType: 'application/dmn+xml',
      content: await readFile(join(decisionsDir, file)),
    });
    await store.publish(actor, { artifactId: created.id });
    decisions.push(name);
  }
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bpmn')).sort();
  const pending: { name: string; id: string }[] = [];
  for (const file of files) {
    const imported = await importBpmn(await readFile(join(dir, file), 'utf8'));
    if (!imported.ok)
      throw new Error(`example ${file} does not import: ${imported.diagnostics[0]?.message}`);
    const name = basename(file, '.bpmn');
    const created = await store.create(actor, {
      kind: 'process_definition',
      name,
      contentType: 'application/json',
      content: new TextEncoder().encode(JSON.stringify(imported.definition, null, 2)),
    });
    pending.push({ name, id: created.id });
  }
  const published: string[] = [];
  let lastError: unknown;
  while (pending.length > 0) {
    const before = pending.length;
    for (const item of [...pending]) {
      try {
        await store.publish(actor, { artifactId: item.id });
        published.push(item.name);
        pending.splice(pending.indexOf(item), 1);
      } catch (err) {
        if (!isAmeideError(err) || err.reason !== 'LINT_ERRORS') throw err;
        lastError = err;
      }
    }
    if (pending.length === before) {
      throw new Error(
        `examples ${pending.map((p) => p.name).join(', ')} cannot be published: ${(lastError as Error).message}`,
      );
    }
  }
  return { published, decisions, skipped: false };
}

/**
 * First start only (no agent definitions yet): publishes every example AgentDefinition
 * (`examples/agents/*.json`) in the demo tenant, and the `agent-proposal-review` process
 * that reviews their proposals.
 */
export async function seedDemoAgents(
  store: ArtifactStore,
  dir = agentExamplesDir,
): Promise<SeedResult> {
  const actor = { tenantId: DEMO_TENANT, userId: 'ameide-seed' };
  const existing = await store.list(actor, { kind: 'agent_definition', pageSize: 1 });
  if (existing.artifacts.length > 0) return { published: [], skipped: true };
  const published: string[] = [];
  const review = await store
    .getPublishedPlan(
      actor,
      { kind: 'process_definition', name: PROPOSAL_REVIEW_PROCESS },
      'latest',
    )
    .catch((err: unknown) => {
      if (isAmeideError(err) && err.code === 'not_found') return undefined;
      throw err;
    });
  if (!review) {
    const created = await store.create(actor, {
      kind: 'process_definition',
      name: PROPOSAL_REVIEW_PROCESS,
      contentType: 'application/json',
      content: new TextEncoder().encode(JSON.stringify(agentProposalReviewDefinition, null, 2)),
    });
    await store.publish(actor, { artifactId: created.id });
    published.push(PROPOSAL_REVIEW_PROCESS);
  }
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const text = await readFile(join(dir, file), 'utf8');
    const name = (JSON.parse(text) as { name?: string }).name ?? basename(file, '.json');
    const created = await store.create(actor, {
      kind: 'agent_definition',
      name,
      contentType: 'application/json',
      content: new TextEncoder().encode(text),
    });
    await store.publish(actor, { artifactId: created.id });
    published.push(name);
  }
  return { published, skipped: false };
}

/** Customers the demo tenant starts with (credit limits in EUR cents). */
const DEMO_CUSTOMERS = [
  {
    name: 'Acme Retail',
    email: 'buyer@acme.example',
    creditLimit: { currency: 'EUR', amountMinor: 5_000_000n },
  },
  {
    name: 'Globex Wholesale',
    email: 'orders@globex.example',
    creditLimit: { currency: 'EUR', amountMinor: 2_000_000n },
  },
  {
    name: 'Initech Services',
    email: 'ap@initech.example',
    creditLimit: { currency: 'EUR', amountMinor: 500_000n },
  },
] as const;

/** A seeded customer, for the ready message. */
export interface DemoCustomer {
  readonly id: string;
  readonly name: string;
}

/**
 * First start only: a few customers in the demo tenant's sales domain.
 * Returns the demo tenant's customers either way.
 */
export async function seedDemoCustomers(
  sales: SalesDomain,
): Promise<{ customers: DemoCustomer[]; created: number }> {
  const ctx = { tenantId: DEMO_TENANT, correlationId: 'ameide-dev-seed' };
  const existing = await sales.listCustomers(ctx, { pageSize: 50, pageToken: '' });
  if (existing.items.length > 0) {
    return {
      customers: existing.items.map((c) => ({ id: c.value.customerId, name: c.value.name })),
      created: 0,
    };
  }
  const customers: DemoCustomer[] = [];
  for (const c of DEMO_CUSTOMERS) {
    const created = await sales.createCustomer(ctx, c);
    customers.push({ id: created.value.customerId, name: created.value.name });
  }
  return { customers, created: customers.length };
}
