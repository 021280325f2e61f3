import type { Json } from './json.js';

/**
 * Ids the platform hands out while the run goes on. Requests are generated up
 * front (from the seed) with references into the pools; the references are
 * resolved when a request is sent, so later calls use what earlier ones made.
 */
export class IdPools {
  private readonly pools = new Map<string, string[]>();

  add(field: string, id: string): void {
    const pool = this.pools.get(field) ?? [];
    if (!pool.includes(id)) pool.push(id);
    if (pool.length > 200) pool.shift();
    this.pools.set(field, pool);
  }

  /** Adds every `...Id` string of a JSON response (camelCase keys) to the pool of its field. */
  collect(json: unknown): void {
    if (Array.isArray(json)) for (const v of json) this.collect(v);
    else if (json !== null && typeof json === 'object') {
      for (const [k, v] of Object.entries(json)) {
        if (typeof v === 'string' && /[a-z]Id$/.test(k))
          this.add(
            k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
            v,
          );
        else this.collect(v);
      }
    }
  }

  /** `json` with every pool reference replaced by a live id (or a random-looking miss). */
  resolve(json: Json): Json {
    if (typeof json === 'string') {
      if (!json.startsWith(POOL_REF)) return json;
      const [field, n] = json.slice(POOL_REF.length).split('#') as [string, string];
      const pool = this.pools.get(field) ?? [];
      return pool.length > 0
        ? pool[Number(n) % pool.length]!
        : '00000000-0000-4000-8000-000000000000';
    }
    if (Array.isArray(json)) return json.map((v) => this.resolve(v));
    if (json !== null && typeof json === 'object')
      return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, this.resolve(v)]));
    return json;
  }
}

/** Marks a pool reference (a private-use character no generated string starts with). */
export const POOL_REF = '\ue000pool:';
