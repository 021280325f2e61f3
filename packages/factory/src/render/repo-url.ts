/** A repository as the scaffolder's RepoUrlPicker writes it: `host?owner=o&repo=r`. */
export interface RepoSpec {
  readonly host: string;
  readonly repo: string;
  readonly owner?: string;
  readonly organization?: string;
  readonly workspace?: string;
  readonly project?: string;
}

/**
 * The `parseRepoUrl` filter for the URL shape the RepoUrlPicker produces. Backstage looks the
 * host up in its SCM integrations to decide which parts are required; offline every part
 * present is returned and `repo` is required.
 */
export function parseRepoUrl(repoUrl: string): RepoSpec {
  let url: URL;
  try {
    url = new URL(`https://${repoUrl}`);
  } catch {
    throw new Error(`Invalid repo URL passed to publisher, got ${repoUrl}`);
  }
  const q = url.searchParams;
  const repo = q.get('repo');
  if (!repo) throw new Error(`Invalid repo URL passed to publisher: ${repoUrl}, missing repo`);
  const optional = (key: string): Record<string, string> => {
    const v = q.get(key);
    return v ? { [key]: v } : {};
  };
  return {
    host: url.host,
    repo,
    ...optional('owner'),
    ...optional('organization'),
    ...optional('workspace'),
    ...optional('project'),
  };
}
