/**
 * The simple unary tests lint can reason about: `-`, numeric comparisons and ranges, string and
 * boolean literals, lists of those and `not(...)` of a list. Anything else (variables, function
 * calls, dates) is not classified, and the rules that need it skip the column.
 */

export interface Interval {
  readonly lo: number;
  readonly loOpen: boolean;
  readonly hi: number;
  readonly hiOpen: boolean;
}

export type EntrySet =
  | { readonly kind: 'any' }
  | { readonly kind: 'number'; readonly intervals: readonly Interval[]; readonly negated: boolean }
  | { readonly kind: 'string'; readonly values: readonly string[]; readonly negated: boolean }
  | { readonly kind: 'boolean'; readonly values: readonly boolean[]; readonly negated: boolean };

const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
const COMPARISON = new RegExp(String.raw`^(<=|>=|<|>|=)?\s*(${NUMBER})$`);
const RANGE = new RegExp(String.raw`^([[(\]])\s*(${NUMBER})\s*\.\.\s*(${NUMBER})\s*([\])[])$`);
const STRING = /^"((?:[^"\\]|\\.)*)"$/;

/** Classifies one input entry, or answers undefined when it is not a simple test. */
export function classifyEntry(source: string): EntrySet | undefined {
  const text = source.trim();
  if (text === '' || text === '-') return { kind: 'any' };
  const not = /^not\s*\((.*)\)$/s.exec(text);
  if (not) {
    const inner = classifyList(not[1]!);
    if (!inner) return undefined;
    return { ...inner, negated: !inner.negated };
  }
  return classifyList(text);
}

function classifyList(text: string): Exclude<EntrySet, { kind: 'any' }> | undefined {
  const items = splitTopLevel(text);
  if (!items) return undefined;
  const intervals: Interval[] = [];
  const strings: string[] = [];
  const booleans: boolean[] = [];
  for (const raw of items) {
    const item = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = STRING.exec(item))) strings.push(m[1]!.replace(/\\(.)/g, '$1'));
    else if (item === 'true' || item === 'false') booleans.push(item === 'true');
    else if ((m = COMPARISON.exec(item))) {
      const n = Number(m[2]);
      const op = m[1] ?? '=';
      intervals.push(
        op === '<'
          ? { lo: -Infinity, loOpen: true, hi: n, hiOpen: true }
          : op === '<='
            ? { lo: -Infinity, loOpen: true, hi: n, hiOpen: false }
            : op === '>'
              ? { lo: n, loOpen: true, hi: Infinity, hiOpen: true }
              : op === '>='
                ? { lo: n, loOpen: false, hi: Infinity, hiOpen: true }
                : { lo: n, loOpen: false, hi: n, hiOpen: false },
      );
    } else if ((m = RANGE.exec(item))) {
      const lo = Number(m[2]);
      const hi = Number(m[3]);
      intervals.push({ lo, loOpen: m[1] !== '[', hi, hiOpen: m[4] !== ']' });
    } else return undefined;
  }
  const kinds = [intervals.length > 0, strings.length > 0, booleans.length > 0].filter(Boolean);
  if (kinds.length !== 1) return undefined;
  if (intervals.length > 0) return { kind: 'number', intervals, negated: false };
  if (strings.length > 0) return { kind: 'string', values: strings, negated: false };
  return { kind: 'boolean', values: booleans, negated: false };
}

/** Splits on commas outside quotes and brackets; undefined when quotes or brackets do not balance. */
function splitTopLevel(text: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) return undefined;
  out.push(text.slice(start));
  return out;
}

/** One column's domain, cut into cells every classified entry either holds or fails on. */
export interface ColumnCells {
  readonly kind: 'number' | 'string' | 'boolean' | 'any';
  readonly cells: readonly Cell[];
}

/** A cell: a sample value and how to say it. */
export interface Cell {
  readonly sample: number | string | boolean | null;
  readonly text: string;
}

/** A value outside every string the column names (only when it has no inputValues). */
const OTHER = '\u0000other';

/**
 * Cuts a column into cells from its entries (and its inputValues, which bound the domain).
 * Undefined when an entry is not classified or entries mix kinds.
 */
export function columnCells(
  entries: readonly string[],
  inputValues: string | undefined,
): { cells: ColumnCells; sets: readonly EntrySet[] } | undefined {
  const sets: EntrySet[] = [];
  for (const e of entries) {
    const s = classifyEntry(e);
    if (!s) return undefined;
    sets.push(s);
  }
  const domain = inputValues === undefined ? undefined : classifyEntry(inputValues);
  if (inputValues !== undefined && (!domain || domain.kind === 'any')) return undefined;
  const kinds = new Set(sets.filter((s) => s.kind !== 'any').map((s) => s.kind));
  if (domain) kinds.add(domain.kind as 'number');
  if (kinds.size > 1) return undefined;
  const kind = [...kinds][0] ?? 'any';
  if (kind === 'any')
    return { cells: { kind, cells: [{ sample: null, text: 'any value' }] }, sets };
  if (kind === 'boolean') {
    const cells = [true, false]
      .filter((b) => !domain || holds(domain, b))
      .map((b) => ({ sample: b, text: String(b) }));
    return { cells: { kind, cells }, sets };
  }
  if (kind === 'string') {
    const named = new Set<string>();
    for (const s of sets) if (s.kind === 'string') s.values.forEach((v) => named.add(v));
    let values: string[];
    if (domain && domain.kind === 'string' && !domain.negated) values = [...domain.values];
    else values = [...named, OTHER].filter((v) => !domain || holds(domain, v));
    const cells = values.map((v) => ({
      sample: v,
      text: v === OTHER ? 'any other string' : JSON.stringify(v),
    }));
    return { cells: { kind, cells }, sets };
  }
  const points = new Set<number>();
  for (const s of [...sets, ...(domain ? [domain] : [])]) {
    if (s.kind !== 'number') continue;
    for (const iv of s.intervals) {
      if (Number.isFinite(iv.lo)) points.add(iv.lo);
      if (Number.isFinite(iv.hi)) points.add(iv.hi);
    }
  }
  const sorted = [...points].sort((a, b) => a - b);
  const cells: Cell[] = [];
  const fmt = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+∞' : '-∞');
  const between = (lo: number, hi: number): Cell => ({
    sample: !Number.isFinite(lo)
      ? Number.isFinite(hi)
        ? hi - 1
        : 0
      : !Number.isFinite(hi)
        ? lo + 1
        : (lo + hi) / 2,
    text: `in (${fmt(lo)}..${fmt(hi)})`,
  });
  if (sorted.length === 0) cells.push(between(-Infinity, Infinity));
  else {
    cells.push(between(-Infinity, sorted[0]!));
    sorted.forEach((p, i) => {
      cells.push({ sample: p, text: `= ${p}` });
      cells.push(between(p, sorted[i + 1] ?? Infinity));
    });
  }
  return {
    cells: {
      kind,
      cells: cells.filter((c) => !domain || holds(domain, c.sample)),
    },
    sets,
  };
}

/** Whether a classified entry holds for a cell's sample value. */
export function holds(set: EntrySet, value: number | string | boolean | null): boolean {
  switch (set.kind) {
    case 'any':
      return true;
    case 'number': {
      if (typeof value !== 'number') return false;
      const inside = set.intervals.some(
        (iv) =>
          (iv.loOpen ? value > iv.lo : value >= iv.lo) &&
          (iv.hiOpen ? value < iv.hi : value <= iv.hi),
      );
      return inside !== set.negated;
    }
    case 'string':
      if (typeof value !== 'string') return false;
      return set.values.includes(value) !== set.negated;
    case 'boolean':
      if (typeof value !== 'boolean') return false;
      return set.values.includes(value) !== set.negated;
  }
}
