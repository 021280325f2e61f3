import { create } from '@bufbuild/protobuf';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { getRequestContext } from '@ameide/context';
import { AmeideError } from '@ameide/errors';
import { withTenant, type Database, type Transaction } from '@ameide/persistence';
import {
  Direction,
  GraphEdgeSchema,
  GraphNodeSchema,
  GraphService,
  type GraphAt,
  type GraphPath,
} from '@ameide/proto';
import { projectionSchema } from '../schema/projection-schema.js';
import { catalogGraph, GraphView, type Edge, type GraphCatalog, type Node } from './graph-model.js';
import { graphProjection } from './graph-projection.js';

const s = projectionSchema(graphProjection.name);
const DEFAULT_DEPTH = 6;
const MAX_DEPTH = 12;

const bounded = (value: number, field: string, fallback: number, max: number): number => {
  if (value < 0 || value > max)
    throw AmeideError.invalidArgument(`${field} must be between 0 and ${max}`, [
      { field, description: `0 (default ${fallback}) to ${max}` },
    ]);
  return value || fallback;
};

/**
 * Serves `ameide.graph.v1.GraphService`: the caller's tenant's artifact nodes
 * and edges (from the graph projection, read as the app role under RLS, which
 * has SELECT only) together with the platform catalog, as of now or of an
 * artifact version. Read-only by construction: the proto declares the service
 * `read_only` (the host refuses any non-read method centrally) and no method
 * here writes.
 */
export function graphServiceRoutes(options: {
  readonly db: Database;
  readonly catalog: GraphCatalog;
}) {
  const { db } = options;
  const fixed = catalogGraph(options.catalog);

  const viewOf = (ctx: HandlerContext, at: GraphAt | undefined): Promise<GraphView> =>
    withTenant(db, { tenantId: getRequestContext(ctx).tenantId }, async (tx) => {
      const asOf = at && (at.artifact || at.version) ? await eventOf(tx, at) : undefined;
      const valid = asOf
        ? `valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)`
        : `valid_to IS NULL`;
      const params = asOf ? [asOf] : [];
      const nodes = await tx.query<{
        node_id: string;
        kind: string;
        name: string;
        attributes: Record<string, string> | null;
      }>(`SELECT node_id, kind, name, attributes FROM ${s}.nodes WHERE ${valid}`, params);
      const edges = await tx.query<{ from_id: string; to_id: string; kind: string }>(
        `SELECT from_id, to_id, kind FROM ${s}.edges WHERE ${valid} ORDER BY from_id, kind, to_id`,
        params,
      );
      return new GraphView(
        [
          ...fixed.nodes,
          ...nodes.rows.map((n) => ({
            id: n.node_id,
            kind: n.kind,
            name: n.name,
            attributes: n.attributes ?? {},
          })),
        ],
        [
          ...fixed.edges,
          ...edges.rows.map((e) => ({ from: e.from_id, to: e.to_id, kind: e.kind })),
        ],
      );
    });

  const nodeOf = (view: GraphView, id: string, field: string): Node => {
    if (!id)
      throw AmeideError.invalidArgument(`${field} is required`, [
        { field, description: 'a node id <kind>:<name>, e.g. process:order-to-cash' },
      ]);
    const node = view.nodes.get(id);
    if (!node)
      throw new AmeideError('not_found', `no node ${JSON.stringify(id)} in this tenant's graph`, {
        reason: 'GRAPH_NODE_NOT_FOUND',
        domain: 'ameide.graph',
        fieldViolations: [{ field, description: 'no such node (SearchNodes lists them)' }],
      });
    return node;
  };

  return (router: ConnectRouter) =>
    router.service(GraphService, {
      async getNeighbours(req, ctx) {
        const view = await viewOf(ctx, req.at);
        const node = nodeOf(view, req.nodeId, 'node_id');
        const direction =
          req.direction === Direction.OUT ? 'out' : req.direction === Direction.IN ? 'in' : 'both';
        const edges = view.neighbours(node.id, direction, req.edgeKinds);
        const ids = new Set(edges.flatMap((e) => [e.from, e.to]).filter((id) => id !== node.id));
        return {
          node: nodeProto(node),
          neighbours: [...ids].sort().map((id) => nodeProto(view.nodes.get(id)!)),
          edges: edges.map(edgeProto),
        };
      },
      async findPaths(req, ctx) {
        const depth = bounded(req.maxDepth, 'max_depth', DEFAULT_DEPTH, MAX_DEPTH);
        const max = bounded(req.maxPaths, 'max_paths', 10, 100);
        const view = await viewOf(ctx, req.at);
        const from = nodeOf(view, req.from, 'from');
        const to = nodeOf(view, req.to, 'to');
        return { paths: view.paths(from.id, to.id, depth, max).map((p) => pathProto(view, p)) };
      },
      async getImpact(req, ctx) {
        const depth = bounded(req.maxDepth, 'max_depth', DEFAULT_DEPTH, MAX_DEPTH);
        const view = await viewOf(ctx, req.at);
        const node = nodeOf(view, req.nodeId, 'node_id');
        return {
          node: nodeProto(node),
          impacted: view.impact(node.id, depth).map((i) => ({
            node: nodeProto(i.node),
            depth: i.depth,
            path: pathProto(view, i.path),
          })),
        };
      },
      async searchNodes(req, ctx) {
        const limit = bounded(req.limit, 'limit', 50, 500);
        const view = await viewOf(ctx, req.at);
        const q = req.query.toLowerCase();
        const nodes = [...view.nodes.values()]
          .filter((n) => (!req.kind || n.kind === req.kind) && n.name.toLowerCase().includes(q))
          .sort((a, b) => a.id.localeCompare(b.id))
          .slice(0, limit);
        return { nodes: nodes.map(nodeProto) };
      },
    });
}

async function eventOf(tx: Transaction, at: GraphAt): Promise<string> {
  if (!at.artifact || at.version < 1)
    throw AmeideError.invalidArgument('at needs an artifact name and a version of 1 or more', [
      { field: 'at.artifact', description: 'the artifact name' },
      { field: 'at.version', description: 'a published version, 1 or more' },
    ]);
  const { rows } = await tx.query<{ event_id: string }>(
    `SELECT event_id FROM ${s}.versions WHERE artifact_name = $1 AND version = $2`,
    [at.artifact, at.version],
  );
  if (!rows[0])
    throw new AmeideError(
      'not_found',
      `artifact ${at.artifact} has no published version ${at.version} in the graph`,
      {
        reason: 'GRAPH_VERSION_NOT_FOUND',
        domain: 'ameide.graph',
        fieldViolations: [{ field: 'at.version', description: 'no such published version' }],
      },
    );
  return rows[0].event_id;
}

const nodeProto = (n: Node) =>
  create(GraphNodeSchema, {
    id: n.id,
    kind: n.kind,
    name: n.name,
    attributes: { ...n.attributes },
  });
const edgeProto = (e: Edge) => create(GraphEdgeSchema, { from: e.from, to: e.to, kind: e.kind });

function pathProto(view: GraphView, edges: readonly Edge[]): GraphPath {
  const ids: string[] = [];
  for (const e of edges) {
    if (ids.length === 0) ids.push(e.from);
    ids.push(ids.at(-1) === e.from ? e.to : e.from);
  }
  return {
    $typeName: 'ameide.graph.v1.GraphPath',
    nodes: ids.map((id) => nodeProto(view.nodes.get(id)!)),
    edges: edges.map(edgeProto),
  };
}
