import { ameideRegistry } from '@ameide/proto';
import { parseEventType } from '@ameide/events';
import type { ProjectionDefinition } from '../definition/projection-definition.js';
import { graphNodeId } from './graph-projection.js';

export interface Node {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: string;
}

/** The platform's fixed facts: which domain serves which services and emits which events, and the projections. */
export interface GraphCatalog {
  readonly domains: readonly {
    readonly name: string;
    /** Proto service type names, e.g. `ameide.sales.v1.OrderService`. */
    readonly services: readonly string[];
    /** Event types it emits (versioned or not), e.g. `sales.order.confirmed.v1`. */
    readonly emits: readonly string[];
  }[];
  readonly projections: readonly ProjectionDefinition[];
}

const eventName = (type: string) => {
  try {
    return parseEventType(type).name;
  } catch {
    return type;
  }
};

/** Nodes and edges of the catalog (the same for every tenant). */
export function catalogGraph(catalog: GraphCatalog): { nodes: Node[]; edges: Edge[] } {
  const nodes = new Map<string, Node>();
  const edges: Edge[] = [];
  const node = (kind: string, name: string, attributes: Record<string, string> = {}) => {
    const id = graphNodeId(kind, name);
    if (!nodes.has(id)) nodes.set(id, { id, kind, name, attributes });
    return id;
  };
  for (const d of catalog.domains) {
    const domain = node('domain', d.name);
    for (const typeName of d.services) {
      const service = ameideRegistry.getService(typeName);
      if (!service)
        throw new Error(`graph catalog: domain ${d.name} names unknown service ${typeName}`);
      for (const m of service.methods) {
        const method = node('method', `${typeName}/${m.name}`, {
          service: typeName,
          input: m.input.typeName,
          output: m.output.typeName,
          kind: m.methodKind,
        });
        edges.push({ from: method, to: domain, kind: 'served_by' });
      }
    }
    for (const type of d.emits) {
      edges.push({ from: domain, to: node('event', eventName(type)), kind: 'emits' });
    }
  }
  for (const p of catalog.projections) {
    const projection = node('projection', p.name, { description: p.description });
    for (const s of p.sources)
      for (const type of Object.keys(s.handlers)) {
        const event = node('event', eventName(type));
        edges.push({ from: event, to: projection, kind: 'consumed_by' });
      }
  }
  return { nodes: [...nodes.values()], edges };
}

/**
 * Edge kinds whose target depends on their source (`domain -emits-> event`, `event -consumed_by->
 * projection`); for every other kind the source depends on the target (`process -calls-> method`,
 * `method -served_by-> domain`, `extension -may_call-> method`, `process -calls_process-> process`).
 */
const DEPENDED_ON_BY_TARGET: ReadonlySet<string> = new Set(['emits', 'consumed_by']);

/** An in-memory view of one tenant's Graph at one point in its history. */
export class GraphView {
  readonly nodes = new Map<string, Node>();
  private readonly out = new Map<string, Edge[]>();
  private readonly in = new Map<string, Edge[]>();

  constructor(nodes: Iterable<Node>, edges: Iterable<Edge>) {
    for (const n of nodes) this.nodes.set(n.id, n);
    for (const e of edges) {
      // An edge to something the catalog does not know (a method of another platform version) still shows.
      for (const id of [e.from, e.to]) {
        if (!this.nodes.has(id)) {
          const [kind = 'unknown', ...rest] = id.split(':');
          this.nodes.set(id, { id, kind, name: rest.join(':'), attributes: { missing: 'true' } });
        }
      }
      push(this.out, e.from, e);
      push(this.in, e.to, e);
    }
  }

  neighbours(id: string, direction: 'out' | 'in' | 'both', kinds: readonly string[]): Edge[] {
    const pick = (es: Edge[] | undefined) =>
      (es ?? []).filter((e) => kinds.length === 0 || kinds.includes(e.kind));
    return [
      ...(direction !== 'in' ? pick(this.out.get(id)) : []),
      ...(direction !== 'out' ? pick(this.in.get(id)) : []),
    ];
  }

  /** Simple directed paths from → to, shortest first, up to `maxDepth` edges and `maxPaths` paths. */
  paths(from: string, to: string, maxDepth: number, maxPaths: number): Edge[][] {
    const found: Edge[][] = [];
    let frontier: { at: string; path: Edge[]; seen: Set<string> }[] = [
      { at: from, path: [], seen: new Set([from]) },
    ];
    for (let depth = 0; depth < maxDepth && frontier.length && found.length < maxPaths; depth++) {
      const next: typeof frontier = [];
      for (const f of frontier) {
        for (const e of this.out.get(f.at) ?? []) {
          if (f.seen.has(e.to)) continue;
          const path = [...f.path, e];
          if (e.to === to) {
            found.push(path);
            if (found.length >= maxPaths) return found;
          } else next.push({ at: e.to, path, seen: new Set([...f.seen, e.to]) });
        }
      }
      frontier = next;
    }
    return found;
  }

  /** The edges to what depends on `id` directly, each with that dependent. */
  private dependents(id: string): { edge: Edge; node: string }[] {
    return [
      ...(this.in.get(id) ?? [])
        .filter((e) => !DEPENDED_ON_BY_TARGET.has(e.kind))
        .map((edge) => ({ edge, node: edge.from })),
      ...(this.out.get(id) ?? [])
        .filter((e) => DEPENDED_ON_BY_TARGET.has(e.kind))
        .map((edge) => ({ edge, node: edge.to })),
    ];
  }

  /**
   * Everything that depends on `id`, transitively (what breaks if it changes), nearest first,
   * each with the edges that lead from it to `id`'s side. A process depends on the methods it
   * calls, a method on its domain, an event type on the domain that emits it, a projection on
   * the event types it consumes.
   */
  impact(id: string, maxDepth: number): { node: Node; depth: number; path: Edge[] }[] {
    const result: { node: Node; depth: number; path: Edge[] }[] = [];
    const seen = new Set([id]);
    let frontier: { at: string; path: Edge[] }[] = [{ at: id, path: [] }];
    for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
      const next: typeof frontier = [];
      for (const f of frontier) {
        for (const { edge, node } of this.dependents(f.at)) {
          if (seen.has(node)) continue;
          seen.add(node);
          const path = [edge, ...f.path];
          result.push({ node: this.nodes.get(node)!, depth, path });
          next.push({ at: node, path });
        }
      }
      frontier = next;
    }
    return result;
  }
}

function push(map: Map<string, Edge[]>, key: string, e: Edge) {
  const list = map.get(key);
  if (list) list.push(e);
  else map.set(key, [e]);
}
