/** Entry name → absolute path of its TypeScript module. */
export type Entries = Record<string, string>;

export interface Compiled {
  /** The build's directory. */
  readonly dir: string;
  /** Entry name → absolute path of its compiled module. */
  readonly files: Record<string, string>;
}

export function workspaceEntries(root: string): Entries;
export function compiled(options: {
  readonly root: string;
  readonly entries: Entries;
  readonly cacheRoot: string;
}): Promise<Compiled>;
export function compiledIn(options: {
  readonly root: string;
  readonly entries: Entries;
  readonly cacheRoots: readonly string[];
}): Promise<Compiled>;
export function cacheRootsFor(root: string): string[];
