import nunjucks from 'nunjucks';
import { parseEntityRef } from './entity-ref.js';
import { parseRepoUrl } from './repo-url.js';

/** Renders one string against a context; throws {@link TemplateError} naming the template. */
export interface Templater {
  render(source: string, context: Readonly<Record<string, unknown>>, where: string): string;
  /**
   * A string that is exactly one `${{ expression }}` evaluates to the expression's value (an
   * object stays an object, an undefined parameter stays undefined), any other string renders
   * to a string: how Backstage's workflow runner renders a step's `input`.
   */
  renderValue(source: string, context: Readonly<Record<string, unknown>>, where: string): unknown;
}

/** A template that does not parse or render, with the file it came from. */
export class TemplateError extends Error {
  constructor(
    readonly where: string,
    cause: unknown,
  ) {
    super(`${where}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'TemplateError';
  }
}

function pick(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const SINGLE_EXPRESSION = /^\$\{\{([\s\S]*)\}\}$/;

/**
 * The nunjucks environment Backstage's scaffolder renders templates with: `${{ }}` variable
 * tags (so `{{ }}` in skeleton files, e.g. Helm templates or GitHub workflows, stay text), no
 * autoescaping, and the filters the scaffolder registers by default (`parseRepoUrl`,
 * `parseEntityRef`, `pick`, `projectSlug`) on top of nunjucks' built-in ones.
 */
export function createTemplater(
  options: { trimBlocks?: boolean; lstripBlocks?: boolean } = {},
): Templater {
  const env = new nunjucks.Environment(null, {
    autoescape: false,
    throwOnUndefined: false,
    trimBlocks: options.trimBlocks ?? false,
    lstripBlocks: options.lstripBlocks ?? false,
    tags: { variableStart: '${{', variableEnd: '}}' },
  });
  env.addFilter('parseRepoUrl', (url: string) => parseRepoUrl(url));
  env.addFilter(
    'parseEntityRef',
    (ref: unknown, context?: { defaultKind?: string; defaultNamespace?: string }) =>
      parseEntityRef(ref, context),
  );
  env.addFilter('pick', pick);
  env.addFilter('projectSlug', (url: string) => {
    const { owner, repo } = parseRepoUrl(url);
    return `${owner ?? ''}/${repo}`;
  });
  const render = (
    source: string,
    context: Readonly<Record<string, unknown>>,
    where: string,
  ): string => {
    try {
      return env.renderString(source, context);
    } catch (err) {
      throw new TemplateError(where, err);
    }
  };
  return {
    render,
    renderValue(source, context, where) {
      const single = SINGLE_EXPRESSION.exec(source.trim());
      if (!single || single[1]!.includes('}}') || single[1]!.includes('${{')) {
        return render(source, context, where);
      }
      // Evaluate the expression and hand its value back through JSON, as a value, not as text.
      const json = render(`\${{ (${single[1]}) | dump }}`, context, where);
      return json === '' ? undefined : (JSON.parse(json) as unknown);
    },
  };
}
