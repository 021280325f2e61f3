import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';

/** Temporal's IndexedValueType numbers, by the names the `temporal` CLI uses. */
const INDEXED_VALUE_TYPES: Readonly<Record<string, number>> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/** Options of {@link createTemporalNamespaces}. */
export interface TemporalNamespacesOptions {
  /** `host:port` of the Temporal frontend. */
  readonly address: string;
  /** The search attributes every namespace needs (`name → Keyword|Int|KeywordList|...`). */
  readonly searchAttributes: Readonly<Record<string, string>>;
  /** How long closed workflows stay visible (default 3 days). */
  readonly retentionDays?: number;
}

/** The Temporal side of a tenant: a namespace per enterprise tenant, with the platform's search attributes. */
export interface TemporalNamespaces {
  readonly address: string;
  /** Registers the namespace when missing and adds the search attributes it lacks; returns them. */
  ensure(namespace: string): Promise<string[]>;
  /** Whether the namespace exists (and is not being deleted). */
  exists(namespace: string): Promise<boolean>;
  /** Deletes the namespace and everything in it (Temporal removes its workflows in the background). */
  remove(namespace: string): Promise<void>;
  close(): Promise<void>;
}

const code = (err: unknown): number | undefined => (err as { code?: number }).code;
/** gRPC status codes. */
const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;

async function untilFound<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (code(err) !== NOT_FOUND || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export function createTemporalNamespaces(options: TemporalNamespacesOptions): TemporalNamespaces {
  let connecting: Promise<Connection> | undefined;
  const connection = () => {
    connecting ??= Connection.connect({ address: options.address }).catch((err: unknown) => {
      connecting = undefined;
      throw new Error(
        `cannot connect to Temporal at ${options.address}: ${(err as Error).message}`,
        { cause: err },
      );
    });
    return connecting;
  };
  const retentionMs = (options.retentionDays ?? 3) * 24 * 3600 * 1000;
  const describe = async (namespace: string) => {
    try {
      return await (await connection()).workflowService.describeNamespace({ namespace });
    } catch (err) {
      if (code(err) === NOT_FOUND) return undefined;
      throw err;
    }
  };
  return {
    address: options.address,
    async ensure(namespace) {
      const conn = await connection();
      if (!(await describe(namespace))) {
        try {
          await conn.workflowService.registerNamespace({
            namespace,
            description: 'Ameide tenant namespace',
            workflowExecutionRetentionPeriod: msToTs(retentionMs),
          });
        } catch (err) {
          if (code(err) !== ALREADY_EXISTS) throw err;
        }
      }
      // A namespace just registered is not found by the operator service until the server's
      // namespace cache has it (up to ~10 s): ask again until then.
      const have = await untilFound(() => conn.operatorService.listSearchAttributes({ namespace }));
      const missing = Object.entries(options.searchAttributes).filter(
        ([name]) => !(name in (have.customAttributes ?? {})),
      );
      if (missing.length > 0) {
        const searchAttributes: Record<string, number> = {};
        for (const [name, type] of missing) {
          const indexed = INDEXED_VALUE_TYPES[type];
          if (indexed === undefined)
            throw new Error(`unknown search attribute type ${type} of ${name}`);
          searchAttributes[name] = indexed;
        }
        try {
          await untilFound(() =>
            conn.operatorService.addSearchAttributes({ namespace, searchAttributes }),
          );
        } catch (err) {
          if (code(err) !== ALREADY_EXISTS) throw err;
        }
      }
      return Object.keys(options.searchAttributes);
    },
    async exists(namespace) {
      const d = await describe(namespace);
      // NAMESPACE_STATE_DELETED = 3
      return d !== undefined && Number(d.namespaceInfo?.state) !== 3;
    },
    async remove(namespace) {
      try {
        await (await connection()).operatorService.deleteNamespace({ namespace });
      } catch (err) {
        if (code(err) !== NOT_FOUND) throw err;
      }
    },
    async close() {
      const c = await connecting?.catch(() => undefined);
      connecting = undefined;
      await c?.close();
    },
  };
}
