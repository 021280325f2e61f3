import type { EventEnvelope } from '@ameide/events';
import type {
  Change,
  ProjectionDefinition,
  ProjectionHandler,
} from '../definition/projection-definition.js';

/** Artifact event types (domain `transformation`, aggregate `artifact`). */
const Artifact = {
  Created: 'transformation.artifact.created.v1',
  Published: 'transformation.artifact.published.v1',
  Archived: 'transformation.artifact.archived.v1',
} as const;

/** What a published artifact version refers to (the `references` of its published event). */
export interface ArtifactReferences {
  /** Proto methods it calls, `pkg.Service/Method`. */
  readonly calls?: readonly string[];
  /** Process definitions it starts (call activities), by name. */
  readonly processes?: readonly string[];
  /** Proto methods it may call back (extension host calls). */
  readonly hostCalls?: readonly string[];
  /** Agents it invokes (agent tasks), by name. */
  readonly agents?: readonly string[];
}

/** Graph node kind of an artifact kind; kinds without one are not in the Graph. */
const NODE_KIND: Readonly<Record<string, string>> = {
  process_definition: 'process',
  extension_definition: 'extension',
  agent_definition: 'agent',
};

const data = (e: EventEnvelope): Record<string, unknown> =>
  (e.payload as Record<string, unknown> | null) ?? {};

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export const graphNodeId = (kind: string, name: string) => `${kind}:${name}`;

/** Closes the open node and edges of an artifact's node at this event. */
const close: ProjectionHandler = async (e, state) => {
  const artifact = await state.get('artifacts', { artifact_id: e.aggregateId });
  if (!artifact?.['node_id']) return [];
  const node = artifact['node_id'] as string;
  const changes: Change[] = [];
  for (const n of await state.find('nodes', { node_id: node, valid_to: null }))
    changes.push({
      op: 'update',
      table: 'nodes',
      key: { node_id: node, valid_from: n['valid_from']! },
      set: { valid_to: e.eventId },
    });
  for (const edge of await state.find('edges', { from_id: node, valid_to: null }))
    changes.push({
      op: 'update',
      table: 'edges',
      key: {
        from_id: node,
        to_id: edge['to_id']!,
        kind: edge['kind']!,
        valid_from: edge['valid_from']!,
      },
      set: { valid_to: e.eventId },
    });
  return changes;
};

/**
 * The artifact half of the Graph: one node per published ProcessDefinition,
 * ExtensionDefinition (and AgentDefinition) and edges to what its published
 * version refers to. Every row carries the event ids it was valid from and to,
 * so the Graph can be read as of any artifact version (time travel over the
 * log). The platform half (methods → domains → event types → projections) is
 * a fixed catalog the service adds when it reads.
 */
export const graphProjection: ProjectionDefinition = {
  name: 'graph',
  description:
    'Nodes and edges between artifacts, proto methods, domains, event types and projections (read-only)',
  version: 1,
  tables: [
    {
      name: 'artifacts',
      columns: { artifact_id: 'text', name: 'text', kind: 'text', node_id: 'text' },
      primaryKey: ['artifact_id'],
    },
    {
      name: 'versions',
      columns: {
        artifact_name: 'text',
        version: 'integer',
        event_id: 'text',
        published_at: 'timestamptz',
      },
      primaryKey: ['artifact_name', 'version'],
    },
    {
      name: 'nodes',
      columns: {
        node_id: 'text',
        kind: 'text',
        name: 'text',
        attributes: 'jsonb',
        valid_from: 'text',
        valid_to: 'text',
      },
      primaryKey: ['node_id', 'valid_from'],
      indexes: [['valid_to']],
    },
    {
      name: 'edges',
      columns: {
        from_id: 'text',
        to_id: 'text',
        kind: 'text',
        valid_from: 'text',
        valid_to: 'text',
      },
      primaryKey: ['from_id', 'to_id', 'kind', 'valid_from'],
      indexes: [['to_id'], ['valid_to']],
    },
  ],
  sources: [
    {
      domain: 'transformation',
      handlers: {
        [Artifact.Created]: (e) => {
          const kind = text(data(e)['kind']);
          const name = text(data(e)['name']);
          const nodeKind = NODE_KIND[kind];
          return [
            {
              op: 'upsert',
              table: 'artifacts',
              row: {
                artifact_id: e.aggregateId,
                name,
                kind,
                node_id: nodeKind ? graphNodeId(nodeKind, name) : null,
              },
            },
          ];
        },
        [Artifact.Published]: async (e, state) => {
          const artifact = await state.get('artifacts', { artifact_id: e.aggregateId });
          if (!artifact) return [];
          const version = Number(data(e)['version'] ?? 0);
          const changes: Change[] = [
            {
              op: 'upsert',
              table: 'versions',
              row: {
                artifact_name: artifact['name']!,
                version,
                event_id: e.eventId,
                published_at: e.occurredAt,
              },
            },
          ];
          const node = artifact['node_id'] as string | null;
          if (!node) return changes;
          changes.push(...(await close(e, state)));
          const refs = (data(e)['references'] ?? {}) as ArtifactReferences;
          changes.push({
            op: 'upsert',
            table: 'nodes',
            row: {
              node_id: node,
              kind: node.split(':')[0]!,
              name: artifact['name']!,
              attributes: { version: String(version), artifactId: e.aggregateId },
              valid_from: e.eventId,
              valid_to: null,
            },
          });
          const edge = (to: string, kind: string): Change => ({
            op: 'upsert',
            table: 'edges',
            row: { from_id: node, to_id: to, kind, valid_from: e.eventId, valid_to: null },
          });
          for (const m of new Set(refs.calls ?? []))
            changes.push(edge(graphNodeId('method', m), 'calls'));
          for (const p of new Set(refs.processes ?? []))
            changes.push(edge(graphNodeId('process', p), 'calls_process'));
          for (const a of new Set(refs.agents ?? []))
            changes.push(edge(graphNodeId('agent', a), 'uses_agent'));
          for (const m of new Set(refs.hostCalls ?? []))
            changes.push(edge(graphNodeId('method', m), 'may_call'));
          return changes;
        },
        [Artifact.Archived]: close,
      },
    },
  ],
};
