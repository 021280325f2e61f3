import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { getActor } from '@ameide/context';
import { AmeideError } from '@ameide/errors';
import {
  ProjectionService,
  ProjectionStatusSchema,
  RebuildStatusSchema,
  type ProjectionStatus,
} from '@ameide/proto';
import type {
  ProjectionRunner,
  ProjectionStatusInfo,
  RebuildSource,
} from '../runner/projection-runner.js';

/** The group whose members may rebuild projections (a rebuild covers every tenant). */
export const PLATFORM_ADMIN_GROUP = 'platform-admin';

const SOURCES: readonly RebuildSource[] = ['postgres', 'kafka'];

/** Serves `ameide.projections.v1.ProjectionService` over the platform's running projections. */
export function projectionServiceRoutes(runners: readonly ProjectionRunner[]) {
  const byName = new Map(runners.map((r) => [r.definition.name, r]));
  const runnerOf = (name: string): ProjectionRunner => {
    const runner = byName.get(name);
    if (runner) return runner;
    if (!name)
      throw AmeideError.invalidArgument('name is required', [
        { field: 'name', description: `one of ${[...byName.keys()].join(', ')}` },
      ]);
    throw new AmeideError('not_found', `no projection named ${JSON.stringify(name)}`, {
      reason: 'PROJECTION_NOT_FOUND',
      domain: 'ameide.projections',
      fieldViolations: [{ field: 'name', description: `one of ${[...byName.keys()].join(', ')}` }],
    });
  };
  return (router: ConnectRouter) =>
    router.service(ProjectionService, {
      async listProjections() {
        return {
          projections: await Promise.all(runners.map(async (r) => toProto(await r.status()))),
        };
      },
      async getProjectionStatus(req) {
        return { status: toProto(await runnerOf(req.name).status()) };
      },
      async rebuildProjection(req, ctx: HandlerContext) {
        const runner = runnerOf(req.name);
        const source = (req.source || 'postgres') as RebuildSource;
        if (!SOURCES.includes(source))
          throw AmeideError.invalidArgument(
            `unknown rebuild source ${JSON.stringify(req.source)}`,
            [{ field: 'source', description: 'postgres or kafka' }],
          );
        const actor = getActor(ctx);
        if (!actor.groups.includes(PLATFORM_ADMIN_GROUP))
          throw new AmeideError(
            'permission_denied',
            `rebuilding projection ${req.name} rebuilds it for every tenant: it needs the ${PLATFORM_ADMIN_GROUP} group`,
            { reason: 'PLATFORM_ADMIN_REQUIRED', domain: 'ameide.projections' },
          );
        await runner.rebuild({ source });
        return { status: toProto(await runner.status()) };
      },
    });
}

function toProto(s: ProjectionStatusInfo): ProjectionStatus {
  const r = s.lastRebuild;
  return create(ProjectionStatusSchema, {
    name: s.name,
    description: s.description,
    state: s.state,
    definitionHash: s.definitionHash,
    sources: s.sources.map((l) => ({
      domain: l.domain,
      eventTypes: [...l.eventTypes],
      eventsBehind: BigInt(l.eventsBehind),
      secondsBehind: l.secondsBehind,
      position: l.position,
    })),
    eventsApplied: BigInt(s.eventsApplied),
    eventsBehind: BigInt(s.eventsBehind),
    secondsBehind: s.secondsBehind,
    tables: [...s.tables],
    deadLetters: BigInt(s.deadLetters),
    ...(r
      ? {
          lastRebuild: create(RebuildStatusSchema, {
            state: r.state,
            source: r.source,
            eventsApplied: BigInt(r.eventsApplied),
            startedAt: timestampFromDate(r.startedAt),
            ...(r.finishedAt
              ? {
                  finishedAt: timestampFromDate(r.finishedAt),
                  durationSeconds: (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000,
                }
              : {}),
            error: r.error ?? '',
          }),
        }
      : {}),
  });
}
