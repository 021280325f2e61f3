import { AmeideError } from '@ameide/errors';
import {
  createUnitOfWork,
  newEventId,
  type Committed,
  type Idempotency,
  type UnitOfWork,
} from '@ameide/events';
import type { Database } from '@ameide/persistence';
import {
  archive${{ values.entity }},
  create${{ values.entity }},
  rename${{ values.entity }},
  type ${{ values.entity }},
  type ${{ values.entity }}Status,
} from './${{ values.entity | lower }}/${{ values.entity | lower }}.js';
import {
  ${{ values.entity | upper }}_COLUMNS,
  ${{ values.entity | lower }}FromRow,
  ${{ values.entity | lower }}Store,
  type ${{ values.entity }}Row,
} from './${{ values.entity | lower }}/${{ values.entity | lower }}-store.js';
import { SCHEMA } from './migrate-domain.js';

/** Who asks, for which tenant, as part of what (taken from the request context). */
export interface DomainContext {
  readonly tenantId: string;
  readonly correlationId: string;
  /** A command repeated with the same key and request answers its first reply, applying nothing. */
  readonly idempotency?: Idempotency | undefined;
}

/** An aggregate with its version (for optimistic concurrency). */
export interface Versioned<T> {
  readonly value: T;
  readonly version: bigint;
}

/**
 * The ${{ values.name }} domain's commands and queries. Every command is one unit of work: the
 * state change and its outbox events commit together; nothing is published directly.
 */
export interface ${{ values.entity }}Domain {
  readonly unitOfWork: UnitOfWork;
  create(ctx: DomainContext, input: { title: string }): Promise<Versioned<${{ values.entity }}>>;
  rename(ctx: DomainContext, id: string, title: string, expectedVersion?: bigint): Promise<Versioned<${{ values.entity }}>>;
  archive(ctx: DomainContext, id: string): Promise<Versioned<${{ values.entity }}>>;
  get(ctx: DomainContext, id: string): Promise<Versioned<${{ values.entity }}>>;
  list(ctx: DomainContext, filter?: { status?: ${{ values.entity }}Status }): Promise<Versioned<${{ values.entity }}>[]>;
}

const notFound = (id: string): AmeideError =>
  new AmeideError('not_found', `${{ values.entity }} ${id} not found`, {
    reason: '${{ values.entity | upper }}_NOT_FOUND',
    domain: 'ameide.${{ values.name }}',
    fieldViolations: [{ field: 'id', description: 'no ${{ values.entity }} with this id' }],
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkId(id: string): void {
  if (!UUID.test(id)) {
    throw AmeideError.invalidArgument('id must be a UUID', [{ field: 'id', description: 'must be a UUID' }]);
  }
}

/** Creates the domain on a migrated database (see `migrateDomain`). */
export function create${{ values.entity }}Domain(options: { db: Database; now?: () => Date }): ${{ values.entity }}Domain {
  const now = options.now ?? (() => new Date());
  const uow = createUnitOfWork({ db: options.db, domain: SCHEMA, schema: SCHEMA, now });
  const versioned = (c: Committed<${{ values.entity }}>): Versioned<${{ values.entity }}> => ({ value: c.state, version: c.version });
  return {
    unitOfWork: uow,
    async create(ctx, input) {
      const id = newEventId();
      return versioned(await uow.execute(ctx, ${{ values.entity | lower }}Store, id, () => create${{ values.entity }}(id, input.title, now())));
    },
    async rename(ctx, id, title, expectedVersion) {
      checkId(id);
      return versioned(
        await uow.execute(
          ctx,
          ${{ values.entity | lower }}Store,
          id,
          (current) => {
            if (!current) throw notFound(id);
            return rename${{ values.entity }}(current.state, title, now());
          },
          { expectedVersion },
        ),
      );
    },
    async archive(ctx, id) {
      checkId(id);
      return versioned(
        await uow.execute(ctx, ${{ values.entity | lower }}Store, id, (current) => {
          if (!current) throw notFound(id);
          return archive${{ values.entity }}(current.state, now());
        }),
      );
    },
    async get(ctx, id) {
      checkId(id);
      const found = await uow.read(ctx, (tx) => ${{ values.entity | lower }}Store.load(tx, id));
      if (!found) throw notFound(id);
      return { value: found.state, version: found.version };
    },
    async list(ctx, filter = {}) {
      return uow.read(ctx, async (tx) => {
        const { rows } = await tx.query<${{ values.entity }}Row>(
          `SELECT ${${{ values.entity | upper }}_COLUMNS} FROM ${{ values.name }}.${{ values.entity | lower }}s
           WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at, id LIMIT 1000`,
          [filter.status ?? null],
        );
        return rows.map((row) => ({ value: ${{ values.entity | lower }}FromRow(row), version: BigInt(row.version) }));
      });
    },
  };
}
