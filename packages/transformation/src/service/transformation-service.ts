import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { TransformationService } from '@ameide/proto';
import { AmeideError } from '@ameide/errors';
import { getRequestContext } from '@ameide/context';
import type { Actor, ArtifactAt, ArtifactRef, ArtifactStore } from '../artifacts/artifact-store.js';
import { LOG_START, parsePosition } from '@ameide/events';
import {
  artifactToProto,
  eventToProto,
  kindFromProto,
  statusFromProto,
  summaryToProto,
} from './artifact-mapping.js';
import { createDecisionTools } from '../decisions/decision-tools.js';
import type { ProcessDefinitionTools } from './process-definition-tools.js';

function actorOf(ctx: HandlerContext): Actor {
  const rc = getRequestContext(ctx);
  return { tenantId: rc.tenantId, userId: rc.userId };
}

/** Serves `ameide.transformation.v1.TransformationService` from an artifact store. */
export function transformationServiceRoutes(options: {
  store: ArtifactStore;
  processes: ProcessDefinitionTools;
}) {
  const { store, processes } = options;
  const decisions = createDecisionTools(store);
  return (router: ConnectRouter) =>
    router.service(TransformationService, {
      async createArtifact(req, ctx) {
        const state = await store.create(actorOf(ctx), {
          kind: kindFromProto(req.kind)!,
          name: req.name,
          contentType: req.contentType,
          content: req.content,
          correlationId: req.correlationId,
        });
        return { artifact: artifactToProto(state) };
      },
      async reviseArtifact(req, ctx) {
        if (req.expectedVersion <= 0n) {
          throw AmeideError.invalidArgument('expected_version is required', [
            { field: 'expected_version', description: 'the stream_version you last read (>= 1)' },
          ]);
        }
        const state = await store.revise(actorOf(ctx), {
          artifactId: req.artifactId,
          expectedVersion: req.expectedVersion,
          content: req.content,
          contentType: req.contentType,
          correlationId: req.correlationId,
        });
        return { artifact: artifactToProto(state) };
      },
      async publishArtifact(req, ctx) {
        const state = await store.publish(actorOf(ctx), {
          artifactId: req.artifactId,
          correlationId: req.correlationId,
          ...(req.expectedVersion !== undefined ? { expectedVersion: req.expectedVersion } : {}),
        });
        return { artifact: artifactToProto(state, state.published.at(-1)) };
      },
      async archiveArtifact(req, ctx) {
        const state = await store.archive(actorOf(ctx), {
          artifactId: req.artifactId,
          correlationId: req.correlationId,
          ...(req.expectedVersion !== undefined ? { expectedVersion: req.expectedVersion } : {}),
        });
        return { artifact: artifactToProto(state) };
      },
      async getArtifact(req, ctx) {
        let ref: ArtifactRef;
        if (req.artifactId) ref = { id: req.artifactId };
        else if (req.name) ref = { kind: kindFromProto(req.kind)!, name: req.name };
        else {
          throw AmeideError.invalidArgument('give artifact_id, or kind and name', [
            { field: 'artifact_id', description: 'required unless kind and name are given' },
          ]);
        }
        let at: ArtifactAt = { latest: true };
        if (req.at.case === 'publishedVersion') at = { publishedVersion: req.at.value };
        else if (req.at.case === 'latestPublished') at = { latestPublished: true };
        else if (req.at.case === 'streamVersion') at = { streamVersion: req.at.value };
        const view = await store.get(actorOf(ctx), ref, at);
        return { artifact: artifactToProto(view.state, view.publishedVersion) };
      },
      async listArtifacts(req, ctx) {
        const kind = kindFromProto(req.kind, 'kind', false);
        const status = statusFromProto(req.status);
        const page = await store.list(actorOf(ctx), {
          ...(kind ? { kind } : {}),
          ...(status ? { status } : {}),
          ...(req.pageSize ? { pageSize: req.pageSize } : {}),
          ...(req.pageToken ? { pageToken: req.pageToken } : {}),
        });
        return { artifacts: page.artifacts.map(summaryToProto), nextPageToken: page.nextPageToken };
      },
      async getArtifactHistory(req, ctx) {
        const events = await store.history(actorOf(ctx), req.artifactId);
        return { events: events.map(eventToProto) };
      },
      async *watchArtifacts(req, ctx) {
        const kind = kindFromProto(req.kind, 'kind', false);
        const after = req.afterPosition
          ? parsePosition(req.afterPosition, 'after_position')
          : LOG_START;
        for await (const change of store.watch(actorOf(ctx), {
          after,
          signal: ctx.signal,
          ...(kind ? { kind } : {}),
        })) {
          yield { event: eventToProto(change.event), artifact: summaryToProto(change.artifact) };
        }
      },
      async lintProcessDefinition(req) {
        return { diagnostics: await processes.lint(req.format, req.content) };
      },
      compileProcessDefinition(req) {
        return processes.compile(req.format, req.content);
      },
      importBpmn(req) {
        return req.collaboration
          ? processes.importBpmnCollaboration(req.xml)
          : processes.importBpmn(req.xml);
      },
      async exportBpmn(req) {
        if (req.definitions.length > 0 || req.collaboration.length > 0) {
          if (req.definition.length > 0)
            throw AmeideError.invalidArgument('set definition or definitions, not both', [
              { field: 'definition', description: 'leave it empty when definitions are set' },
            ]);
          return {
            xml: await processes.exportBpmn({
              definitions: req.definitions,
              collaboration: req.collaboration,
            }),
          };
        }
        return { xml: await processes.exportBpmn(req.definition) };
      },
      lintDecision(req) {
        return decisions.lint(req);
      },
      evaluateDecision(req, ctx) {
        return decisions.evaluate(actorOf(ctx), req);
      },
    });
}
