import type { Actor as ContextActor } from '@ameide/context';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AmeideError, ErrorCode } from '@ameide/errors';
import { LOG_START, type LogPosition } from '@ameide/events';
import {
  sqlStateOf,
  withTenant,
  type Database,
  type Queryable,
  type Transaction,
} from '@ameide/persistence';
import {
  appendToStream,
  readAll,
  readStream,
  type NewEvent,
  type RecordedEvent,
} from '../event-store/event-store.js';
import {
  findArtifact,
  listArtifacts,
  projectArtifact,
  type ArtifactSummary,
} from '../projections/artifact-list.js';
import { ArtifactEventType, type ArtifactSandboxRecordedData } from './artifact-events.js';
import { artifactKinds, ArtifactStatus, type ArtifactKind } from './artifact-kind.js';
import { loadArtifact, saveSnapshot } from './artifact-loader.js';
import {
  evolve,
  latestPublishedVersion,
  type ArtifactState,
  type PublishedVersionInfo,
  sandboxPassed,
} from './artifact-state.js';
import {
  checkContent,
  checkName,
  refuseIfInvalid,
  sha256Hex,
  type KindRules,
} from './content-rules.js';

/**
 * Who is acting, for which tenant: the part of the platform's one Actor type
 * (`@ameide/context`) the store records on every event.
 */
export type Actor = Pick<ContextActor, 'tenantId' | 'userId'>;

export interface ArtifactStoreOptions {
  readonly db: Database;
  /** Per-kind validation and publish hooks. */
  readonly rules?: KindRules;
  /** Write a snapshot every N events of a stream (default 100). */
  readonly snapshotEvery?: number;
  /** Poll interval of watchers when nothing wakes them in-process (default 250 ms). */
  readonly watchPollMs?: number;
}

export interface CreateArtifactInput {
  readonly kind: ArtifactKind;
  readonly name: string;
  readonly contentType: string;
  readonly content: Uint8Array;
  readonly correlationId?: string;
}

export interface ReviseArtifactInput {
  readonly artifactId: string;
  readonly expectedVersion: bigint;
  readonly content: Uint8Array;
  readonly contentType?: string;
  readonly correlationId?: string;
}

export interface LifecycleInput {
  readonly artifactId: string;
  readonly expectedVersion?: bigint;
  readonly correlationId?: string;
}

export type ArtifactRef =
  { readonly id: string } | { readonly kind: ArtifactKind; readonly name: string };

export type ArtifactAt =
  | { readonly latest: true }
  | { readonly publishedVersion: number }
  | { readonly latestPublished: true }
  | { readonly streamVersion: bigint };

/** An artifact as read, with the published version it shows (0 for a draft view). */
export interface ArtifactView {
  readonly state: ArtifactState;
  readonly publishedVersion: PublishedVersionInfo | undefined;
}

/** Which artifact a published plan belongs to. */
export interface PublishedArtifact {
  readonly id: string;
  readonly kind: ArtifactKind;
  readonly name: string;
}

export interface ArtifactChange {
  readonly event: RecordedEvent;
  readonly artifact: ArtifactSummary;
}

/** The Transformation Domain's artifact store. */
export interface ArtifactStore {
  create(actor: Actor, input: CreateArtifactInput): Promise<ArtifactState>;
  revise(actor: Actor, input: ReviseArtifactInput): Promise<ArtifactState>;
  publish(actor: Actor, input: LifecycleInput): Promise<ArtifactState>;
  /**
   * Records how a sandbox run of the draft ended (the Agent primitive's RunSandbox; not an
   * RPC). `failed_precondition` when the content changed since the run started.
   */
  recordSandboxRun(
    actor: Actor,
    input: { readonly artifactId: string } & ArtifactSandboxRecordedData,
  ): Promise<ArtifactState>;
  archive(actor: Actor, input: LifecycleInput): Promise<ArtifactState>;
  get(actor: Actor, ref: ArtifactRef, at?: ArtifactAt): Promise<ArtifactView>;
  /**
   * The ExecutionPlan stored with a published process definition version, with the artifact it
   * belongs to: one tenant transaction answers a start (which version, and its plan).
   */
  getPublishedPlan(
    actor: Actor,
    ref: ArtifactRef,
    version: number | 'latest',
  ): Promise<{ artifact: PublishedArtifact; version: PublishedVersionInfo; plan: Uint8Array }>;
  list(
    actor: Actor,
    filter: { kind?: ArtifactKind; status?: ArtifactStatus; pageSize?: number; pageToken?: string },
  ): Promise<{ artifacts: ArtifactSummary[]; nextPageToken: string }>;
  history(actor: Actor, artifactId: string): Promise<RecordedEvent[]>;
  /** Changes after `after` (catch-up), then live, until `signal` aborts. */
  watch(
    actor: Actor,
    options: { after?: LogPosition; kind?: ArtifactKind; signal: AbortSignal },
  ): AsyncIterable<ArtifactChange>;
}

/**
 * Creates the event-sourced artifact store on a migrated database (see
 * {@link migrateTransformation}). Every operation runs in one tenant
 * transaction (`withTenant`): events, snapshot and list projection commit
 * together or not at all.
 */
export function createArtifactStore(options: ArtifactStoreOptions): ArtifactStore {
  const { db } = options;
  const rules = options.rules ?? {};
  const snapshotEvery = BigInt(options.snapshotEvery ?? 100);
  const pollMs = options.watchPollMs ?? 250;
  const commits = new EventEmitter().setMaxListeners(0);

  async function write(
    actor: Actor,
    fn: (tx: Transaction) => Promise<ArtifactState>,
  ): Promise<ArtifactState> {
    try {
      const state = await withTenant(db, { tenantId: actor.tenantId }, fn);
      commits.emit('commit', actor.tenantId);
      return state;
    } catch (err) {
      throw translate(err);
    }
  }

  async function commit(
    tx: Transaction,
    actor: Actor,
    state: ArtifactState | undefined,
    streamId: string,
    events: NewEvent[],
    correlationId: string | undefined,
  ): Promise<ArtifactState> {
    const before = state?.streamVersion ?? 0n;
    const recorded = await appendToStream(tx, streamId, before, events, {
      tenantId: actor.tenantId,
      actor: actor.userId,
      correlationId: correlationId || randomUUID(),
      causationId: undefined,
    });
    let next = state;
    for (const e of recorded) next = evolve(next, e);
    const after = next!;
    await projectArtifact(tx, actor.tenantId, after);
    if (after.streamVersion / snapshotEvery > before / snapshotEvery)
      await saveSnapshot(tx, actor.tenantId, after);
    return after;
  }

  async function loadForChange(
    tx: Queryable,
    artifactId: string,
    expected: bigint | undefined,
  ): Promise<ArtifactState> {
    checkId(artifactId);
    const state = await loadArtifact(tx, artifactId);
    if (!state) throw notFound(artifactId);
    if (expected !== undefined && expected !== state.streamVersion) {
      throw AmeideError.versionConflict({
        subject: 'artifact',
        subjectId: artifactId,
        expectedVersion: expected,
        actualVersion: state.streamVersion,
      });
    }
    if (state.status === ArtifactStatus.Archived) {
      throw new AmeideError(
        ErrorCode.FailedPrecondition,
        `artifact ${artifactId} is archived; it can no longer change`,
        {
          reason: 'ARTIFACT_ARCHIVED',
        },
      );
    }
    return state;
  }

  async function validate(
    kind: ArtifactKind,
    content: Uint8Array,
    contentType: string,
    what: string,
  ) {
    refuseIfInvalid(what, checkContent(content, contentType));
    const kindRules = rules[kind];
    if (kindRules?.validate) refuseIfInvalid(what, await kindRules.validate(content, contentType));
  }

  async function resolveId(tx: Queryable, ref: ArtifactRef): Promise<string> {
    if ('id' in ref) {
      checkId(ref.id);
      return ref.id;
    }
    const found = await findArtifact(tx, { kind: ref.kind, name: ref.name });
    if (!found)
      throw new AmeideError(ErrorCode.NotFound, `no ${ref.kind} named "${ref.name}"`, {
        reason: 'ARTIFACT_NOT_FOUND',
      });
    return found.id;
  }

  return {
    async create(actor, input) {
      if (!artifactKinds.includes(input.kind)) {
        refuseIfInvalid('create artifact', [
          { field: 'kind', description: `one of ${artifactKinds.join(', ')}` },
        ]);
      }
      refuseIfInvalid('create artifact', checkName(input.name));
      await validate(input.kind, input.content, input.contentType, 'create artifact');
      return write(actor, (tx) =>
        commit(
          tx,
          actor,
          undefined,
          randomUUID(),
          [
            {
              type: ArtifactEventType.Created,
              data: {
                kind: input.kind,
                name: input.name,
                contentType: input.contentType,
                contentHash: sha256Hex(input.content),
              },
              payload: input.content,
            },
          ],
          input.correlationId,
        ),
      );
    },

    async revise(actor, input) {
      return write(actor, async (tx) => {
        const state = await loadForChange(tx, input.artifactId, input.expectedVersion);
        const contentType = input.contentType || state.contentType;
        await validate(state.kind, input.content, contentType, 'revise artifact');
        return commit(
          tx,
          actor,
          state,
          state.id,
          [
            {
              type: ArtifactEventType.Revised,
              data: { contentType, contentHash: sha256Hex(input.content) },
              payload: input.content,
            },
          ],
          input.correlationId,
        );
      });
    },

    async publish(actor, input) {
      // The kind's publish hook runs between two transactions, not inside one: it may
      // compile for a while or read another store (an extension's module), and must not
      // hold a connection (PGlite has only one) or row locks while it does. The write
      // then commits only if the stream is still at the version the hook saw.
      const draft = await withTenant(db, { tenantId: actor.tenantId }, async (tx) => {
        const state = await loadForChange(tx, input.artifactId, input.expectedVersion);
        if (state.status === ArtifactStatus.Published) {
          throw new AmeideError(
            ErrorCode.FailedPrecondition,
            `artifact ${state.id}: nothing to publish, the content is published as version ${latestPublishedVersion(state)}; revise it first`,
            { reason: 'NOTHING_TO_PUBLISH' },
          );
        }
        const why = rules[state.kind]?.sandboxRequired?.(state.content, state.contentType);
        if (why && !sandboxPassed(state)) {
          const last = state.sandbox;
          throw new AmeideError(
            ErrorCode.FailedPrecondition,
            `artifact ${state.id} (${state.name}): ${why}, so it is published only after a completed sandbox run of this draft; ` +
              (last
                ? last.contentHash === state.contentHash
                  ? `its last sandbox run ended ${last.status} (run ${last.runId})`
                  : 'the draft changed since its last sandbox run'
                : 'it has had none') +
              `: run \`ameide agent run --sandbox ${state.name} -i <task>\``,
            { reason: 'SANDBOX_RUN_REQUIRED', domain: 'ameide.transformation' },
          );
        }
        const hooked = rules[state.kind]?.publish !== undefined;
        return {
          state,
          publishedVersions: hooked ? await publishedVersionsOf(tx, 'process_definition') : {},
          publishedDecisions: hooked ? await publishedVersionsOf(tx, 'decision_definition') : {},
        };
      }).catch((err: unknown) => {
        throw translate(err);
      });
      const kindRules = rules[draft.state.kind];
      const compiled = kindRules?.publish
        ? await kindRules.publish(draft.state.content, draft.state.contentType, {
            tenantId: actor.tenantId,
            publishedVersions: draft.publishedVersions,
            publishedDecisions: draft.publishedDecisions,
          })
        : undefined;
      return write(actor, async (tx) => {
        const state = await loadForChange(tx, input.artifactId, draft.state.streamVersion);
        const version = latestPublishedVersion(state) + 1;
        return commit(
          tx,
          actor,
          state,
          state.id,
          [
            {
              type: ArtifactEventType.Published,
              data: {
                version,
                contentHash: state.contentHash,
                ...(compiled ? { planHash: compiled.planHash } : {}),
                ...(compiled?.references ? { references: compiled.references } : {}),
              },
              payload: compiled?.plan,
            },
          ],
          input.correlationId,
        );
      });
    },

    async recordSandboxRun(actor, input) {
      const { artifactId, ...data } = input;
      return write(actor, async (tx) => {
        const state = await loadForChange(tx, artifactId, undefined);
        if (state.contentHash !== data.contentHash)
          throw new AmeideError(
            ErrorCode.FailedPrecondition,
            `artifact ${artifactId} changed while its sandbox run ran; run it again`,
            { reason: 'DRAFT_CHANGED', domain: 'ameide.transformation' },
          );
        return commit(
          tx,
          actor,
          state,
          state.id,
          [{ type: ArtifactEventType.SandboxRecorded, data: { ...data } }],
          undefined,
        );
      });
    },

    async archive(actor, input) {
      return write(actor, async (tx) => {
        const state = await loadForChange(tx, input.artifactId, input.expectedVersion);
        return commit(
          tx,
          actor,
          state,
          state.id,
          [{ type: ArtifactEventType.Archived, data: {} }],
          input.correlationId,
        );
      });
    },

    async get(actor, ref, at = { latest: true }) {
      try {
        return await withTenant(db, { tenantId: actor.tenantId }, async (tx) => {
          const id = await resolveId(tx, ref);
          const latest = await loadArtifact(tx, id);
          if (!latest) throw notFound(id);
          if ('latest' in at) return { state: latest, publishedVersion: undefined };
          if ('streamVersion' in at) {
            if (at.streamVersion < 1n || at.streamVersion > latest.streamVersion) {
              throw new AmeideError(
                ErrorCode.OutOfRange,
                `artifact ${id} has stream versions 1..${latest.streamVersion}; ${at.streamVersion} does not exist`,
                { reason: 'VERSION_OUT_OF_RANGE' },
              );
            }
            const state = await loadArtifact(tx, id, { upTo: at.streamVersion });
            return { state: state!, publishedVersion: undefined };
          }
          const pv = pickPublished(
            latest,
            'publishedVersion' in at ? at.publishedVersion : 'latest',
          );
          const state = await loadArtifact(tx, id, { upTo: pv.streamVersion });
          return { state: state!, publishedVersion: pv };
        });
      } catch (err) {
        throw translate(err);
      }
    },

    async getPublishedPlan(actor, ref, version) {
      try {
        return await withTenant(db, { tenantId: actor.tenantId }, async (tx) => {
          const id = await resolveId(tx, ref);
          const latest = await loadArtifact(tx, id);
          if (!latest) throw notFound(id);
          const pv = pickPublished(latest, version);
          const [event] = await readStream(tx, id, {
            after: pv.streamVersion - 1n,
            upTo: pv.streamVersion,
          });
          if (!event?.payload) {
            throw new AmeideError(
              ErrorCode.FailedPrecondition,
              `artifact ${id} version ${pv.version} has no compiled plan`,
              {
                reason: 'NO_PLAN',
              },
            );
          }
          return {
            artifact: { id: latest.id, kind: latest.kind, name: latest.name },
            version: pv,
            plan: event.payload,
          };
        });
      } catch (err) {
        throw translate(err);
      }
    },

    async list(actor, filter) {
      const pageSize = filter.pageSize ?? 50;
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) {
        refuseIfInvalid('list artifacts', [
          { field: 'page_size', description: 'between 1 and 500' },
        ]);
      }
      const after = filter.pageToken ? decodePageToken(filter.pageToken) : undefined;
      const rows = await withTenant(db, { tenantId: actor.tenantId }, (tx) =>
        listArtifacts(tx, { kind: filter.kind, status: filter.status, after, limit: pageSize + 1 }),
      );
      const page = rows.slice(0, pageSize);
      const last = page.at(-1);
      return {
        artifacts: page,
        nextPageToken:
          rows.length > pageSize && last
            ? encodePageToken({ kind: last.kind, name: last.name, id: last.id })
            : '',
      };
    },

    async history(actor, artifactId) {
      checkId(artifactId);
      const events = await withTenant(db, { tenantId: actor.tenantId }, (tx) =>
        readStream(tx, artifactId),
      );
      if (events.length === 0) throw notFound(artifactId);
      return events;
    },

    watch(actor, { after = LOG_START, kind, signal }) {
      return {
        async *[Symbol.asyncIterator]() {
          let position = after;
          const summaries = new Map<string, ArtifactState | undefined>();
          while (!signal.aborted) {
            const batch = await withTenant(db, { tenantId: actor.tenantId }, async (tx) => {
              const events = await readAll(tx, position, 200);
              const out: ArtifactChange[] = [];
              for (const e of events) {
                // Fold per artifact so each change carries the artifact as of that event.
                let s = summaries.get(e.streamId);
                if (!s || s.streamVersion !== e.streamVersion - 1n)
                  s = await loadArtifact(tx, e.streamId, { upTo: e.streamVersion - 1n });
                s = evolve(s, e);
                summaries.set(e.streamId, s);
                if (!kind || s.kind === kind) out.push({ event: e, artifact: summaryOf(s) });
              }
              if (events.length > 0) position = events.at(-1)!.position;
              return out;
            });
            for (const change of batch) yield change;
            if (batch.length === 0) await wake(commits, actor.tenantId, pollMs, signal);
          }
        },
      };
    },
  };
}

async function publishedVersionsOf(
  tx: Queryable,
  kind: ArtifactKind,
): Promise<Record<string, number[]>> {
  const { rows } = await tx.query<{ name: string; latest: number }>(
    `SELECT name, latest_published_version AS latest FROM transformation.artifacts
     WHERE kind = $1 AND latest_published_version > 0`,
    [kind],
  );
  return Object.fromEntries(
    rows.map((r) => [r.name, Array.from({ length: r.latest }, (_, i) => i + 1)]),
  );
}

function summaryOf(s: ArtifactState): ArtifactSummary {
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    status: s.status,
    streamVersion: s.streamVersion,
    draftRevision: s.draftRevision,
    latestPublishedVersion: latestPublishedVersion(s),
    contentType: s.contentType,
    contentHash: s.contentHash,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
  };
}

function wake(
  commits: EventEmitter,
  tenantId: string,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      commits.off('commit', onCommit);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const onCommit = (t: string) => {
      // Let the writer's transaction become visible below every snapshot xmin.
      if (t === tenantId) setTimeout(done, 5);
    };
    const timer = setTimeout(done, ms);
    commits.on('commit', onCommit);
    signal.addEventListener('abort', done);
  });
}

function pickPublished(state: ArtifactState, version: number | 'latest'): PublishedVersionInfo {
  const pv =
    version === 'latest'
      ? state.published.at(-1)
      : state.published.find((p) => p.version === version);
  if (!pv) {
    const have = state.published.length
      ? `published versions are 1..${latestPublishedVersion(state)}`
      : 'it was never published';
    throw new AmeideError(
      ErrorCode.NotFound,
      `artifact ${state.id} (${state.name}) has no published version ${version}: ${have}`,
      {
        reason: 'VERSION_NOT_FOUND',
      },
    );
  }
  return pv;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkId(id: string): void {
  if (!UUID.test(id))
    refuseIfInvalid('artifact id', [
      { field: 'artifact_id', description: `"${id}" is not an artifact id (a UUID)` },
    ]);
}

function notFound(id: string): AmeideError {
  // Same answer whether the artifact never existed or belongs to another
  // tenant: RLS hides it, and the error must not tell the difference.
  return new AmeideError(ErrorCode.NotFound, `artifact ${id} not found`, {
    reason: 'ARTIFACT_NOT_FOUND',
  });
}

function translate(err: unknown): unknown {
  if (sqlStateOf(err) === '23505') {
    return new AmeideError(
      ErrorCode.AlreadyExists,
      'an artifact of this kind with this name already exists',
      {
        reason: 'ARTIFACT_NAME_TAKEN',
      },
    );
  }
  return err;
}

function encodePageToken(c: { kind: string; name: string; id: string }): string {
  return Buffer.from(JSON.stringify([c.kind, c.name, c.id])).toString('base64url');
}

function decodePageToken(token: string): { kind: string; name: string; id: string } {
  try {
    const [kind, name, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [
      string,
      string,
      string,
    ];
    if (
      typeof kind === 'string' &&
      typeof name === 'string' &&
      typeof id === 'string' &&
      UUID.test(id)
    )
      return { kind, name, id };
  } catch {
    // fall through
  }
  throw AmeideError.invalidArgument('page_token is not a token returned by ListArtifacts', [
    { field: 'page_token', description: 'pass next_page_token from the previous page unchanged' },
  ]);
}
