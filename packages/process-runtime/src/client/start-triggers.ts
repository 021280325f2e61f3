import {
  claimIdempotencyKey,
  DEFAULT_IDEMPOTENCY_RETENTION_MS,
  recordReply,
  type Idempotency,
} from '@ameide/events';
import type { ExecutionPlan } from '@ameide/process-definition/plan';
import { withTenant, type Database, type Migration, type Transaction } from '@ameide/persistence';
import type { ProcessRef } from '../workflow/types.js';

/** What kind of event a start trigger waits for. */
export type StartTriggerKind = 'message' | 'signal';

/** A process-level message or signal start event of a published version. */
export interface StartTrigger {
  readonly ref: ProcessRef;
  /** The start event's node id. */
  readonly node: string;
}

/** The answer to a message with an id: what a repeated call with that id answers. */
export interface MessageReceipt {
  readonly instanceIds: readonly string[];
  readonly started: boolean;
}

/**
 * Which published definitions start on a message or signal, and the messages already taken by
 * id, in the `process` schema of the tenant's database (RLS per tenant). The start-trigger sync
 * keeps the first current (one row per start event of each definition's latest published
 * version); CorrelateMessage and BroadcastSignal read it. Message ids are idempotency keys of
 * the events kit (`process.idempotency_keys`: same retention, same fingerprint check).
 */
export interface StartTriggers {
  /** The process-level start events of the tenant's latest versions that take `name`. */
  find(tenantId: string, kind: StartTriggerKind, name: string): Promise<StartTrigger[]>;
  /**
   * The answer to the message id's first call, if any; `failed_precondition` when the id was
   * used for another message.
   */
  recall(tenantId: string, message: Idempotency): Promise<MessageReceipt | undefined>;
  /** Records the answer to a message id; answers the one that stands (an earlier one wins). */
  keep(tenantId: string, message: Idempotency, receipt: MessageReceipt): Promise<MessageReceipt>;
}

/** How long a message id is remembered: as long as the events kit keeps its keys (7 days). */
const RECEIPT_RETENTION_MS = DEFAULT_IDEMPOTENCY_RETENTION_MS;

/** Rolls back the short transaction that only looked for a receipt. */
class NoReceipt extends Error {}

const SCHEMA = 'process';

/** Migration of the `process` schema with the start triggers (after the events kit's tables). */
export const startTriggersMigration: Migration = {
  version: 2,
  name: 'start_triggers',
  sql: `
CREATE TABLE ${SCHEMA}.start_triggers (
  tenant_id       text NOT NULL,
  definition_id   text NOT NULL,
  node_id         text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('message', 'signal')),
  trigger_name    text NOT NULL,
  definition_name text NOT NULL,
  version         integer NOT NULL CHECK (version > 0),
  plan_hash       text NOT NULL,
  PRIMARY KEY (tenant_id, definition_id, node_id)
);
CREATE INDEX start_triggers_by_name ON ${SCHEMA}.start_triggers (tenant_id, kind, trigger_name);
SELECT ameide.enable_tenant_rls('${SCHEMA}.start_triggers');
`,
};

/** The process-level message and signal start events of a plan, sorted by node id. */
export function startTriggersOf(
  plan: ExecutionPlan,
): Array<{ readonly node: string; readonly kind: StartTriggerKind; readonly name: string }> {
  const processScope = Object.values(plan.scopes).find((s) => s.parent === undefined);
  const out: Array<{ node: string; kind: StartTriggerKind; name: string }> = [];
  for (const node of processScope?.eventStarts ?? []) {
    const n = plan.nodes[node];
    if (n?.type !== 'startEvent') continue;
    if (n.trigger.type === 'message')
      out.push({ node, kind: 'message', name: n.trigger.message.name });
    else if (n.trigger.type === 'signal')
      out.push({ node, kind: 'signal', name: n.trigger.signal });
  }
  return out;
}

/**
 * Makes the definition's start triggers those of `version` (undefined: archived, none), in the
 * caller's tenant transaction. Idempotent; an older version than the one recorded changes nothing.
 */
export async function replaceStartTriggers(
  tx: Transaction,
  tenantId: string,
  definitionId: string,
  version: { readonly ref: ProcessRef; readonly plan: ExecutionPlan } | undefined,
): Promise<void> {
  if (version) {
    const { rows } = await tx.query(
      `SELECT max(version) AS v FROM ${SCHEMA}.start_triggers WHERE tenant_id = $1 AND definition_id = $2`,
      [tenantId, definitionId],
    );
    const recorded = rows[0]?.['v'] as number | null | undefined;
    if (recorded != null && recorded > version.ref.version) return;
  }
  await tx.query(
    `DELETE FROM ${SCHEMA}.start_triggers WHERE tenant_id = $1 AND definition_id = $2`,
    [tenantId, definitionId],
  );
  if (!version) return;
  for (const t of startTriggersOf(version.plan)) {
    await tx.query(
      `INSERT INTO ${SCHEMA}.start_triggers
         (tenant_id, definition_id, node_id, kind, trigger_name, definition_name, version, plan_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        tenantId,
        definitionId,
        t.node,
        t.kind,
        t.name,
        version.ref.name,
        version.ref.version,
        version.ref.planHash,
      ],
    );
  }
}

/** The StartTriggers of a database (the shared one, or one routing each tenant to its own). */
export function createStartTriggers(db: Database): StartTriggers {
  return {
    async find(tenantId, kind, name) {
      const { rows } = await withTenant(db, { tenantId }, (tx) =>
        tx.query(
          `SELECT definition_id, node_id, definition_name, version, plan_hash
             FROM ${SCHEMA}.start_triggers
            WHERE tenant_id = $1 AND kind = $2 AND trigger_name = $3
            ORDER BY definition_name, node_id`,
          [tenantId, kind, name],
        ),
      );
      return rows.map((r) => ({
        ref: {
          definitionId: r['definition_id'] as string,
          name: r['definition_name'] as string,
          version: Number(r['version']),
          planHash: r['plan_hash'] as string,
        },
        node: r['node_id'] as string,
      }));
    },
    async recall(tenantId, message) {
      try {
        return await withTenant(db, { tenantId }, async (tx) => {
          const claim = await claimIdempotencyKey(
            tx,
            SCHEMA,
            tenantId,
            message,
            new Date(),
            RECEIPT_RETENTION_MS,
          );
          // A new id: nothing to answer yet, and nothing claimed (the work runs outside).
          if (claim.kind === 'claimed') throw new NoReceipt();
          return claim.reply as MessageReceipt;
        });
      } catch (err) {
        if (err instanceof NoReceipt) return undefined;
        throw err;
      }
    },
    async keep(tenantId, message, receipt) {
      return withTenant(db, { tenantId }, async (tx) => {
        const claim = await claimIdempotencyKey(
          tx,
          SCHEMA,
          tenantId,
          message,
          new Date(),
          RECEIPT_RETENTION_MS,
        );
        if (claim.kind === 'replay') return claim.reply as MessageReceipt;
        await recordReply(tx, SCHEMA, tenantId, message.key, receipt);
        return receipt;
      });
    },
  };
}

/**
 * StartTriggers over fixed published plans (tests, the recording script), as
 * `createStaticPlanSource` serves their plans: the latest version of each definition the tenant
 * sees. Message receipts go to `receipts` (a database's StartTriggers).
 */
export function createStaticStartTriggers(
  entries: ReadonlyArray<{
    readonly ref: ProcessRef;
    readonly planJson: string;
    readonly tenantId?: string;
  }>,
  receipts: Pick<StartTriggers, 'recall' | 'keep'>,
): StartTriggers {
  return {
    find(tenantId, kind, name) {
      const latest = new Map<string, (typeof entries)[number]>();
      for (const e of entries) {
        if (e.tenantId !== undefined && e.tenantId !== tenantId) continue;
        const seen = latest.get(e.ref.definitionId);
        if (!seen || seen.ref.version < e.ref.version) latest.set(e.ref.definitionId, e);
      }
      const found: StartTrigger[] = [];
      for (const e of latest.values())
        for (const t of startTriggersOf(JSON.parse(e.planJson) as ExecutionPlan))
          if (t.kind === kind && t.name === name) found.push({ ref: e.ref, node: t.node });
      found.sort((a, b) => a.ref.name.localeCompare(b.ref.name) || a.node.localeCompare(b.node));
      return Promise.resolve(found);
    },
    recall: (tenantId, message) => receipts.recall(tenantId, message),
    keep: (tenantId, message, receipt) => receipts.keep(tenantId, message, receipt),
  };
}
