import type { ConnectRouter } from '@connectrpc/connect';
import { getRequestContext } from '@ameide/context';
import { AmeideError } from '@ameide/errors';
import {
  findTemplate,
  InvalidValuesError,
  listTemplates,
  renderTemplate,
  TemplateFileError,
  type RenderedEntry,
} from '@ameide/factory';
import { FactoryService } from '@ameide/proto';
import type { ServiceRegistration } from '@ameide/server';

/** One new file as a `git apply`-able diff (text only: templates hold no binary files). */
function newFileDiff(entry: Extract<RenderedEntry, { kind: 'file' }>): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(entry.content);
  } catch {
    throw new AmeideError(
      'unimplemented',
      `${entry.path} is binary: a patch holds text files only`,
    );
  }
  const mode = entry.mode & 0o111 ? '100755' : '100644';
  const header = `diff --git a/${entry.path} b/${entry.path}\nnew file mode ${mode}\n`;
  if (text === '') return header;
  const lines = text.split('\n');
  const endsWithNewline = lines.at(-1) === '';
  if (endsWithNewline) lines.pop();
  return (
    header +
    `--- /dev/null\n+++ b/${entry.path}\n@@ -0,0 +1${lines.length === 1 ? '' : `,${lines.length}`} @@\n` +
    lines.map((l) => `+${l}\n`).join('') +
    (endsWithNewline ? '' : '\\ No newline at end of file\n')
  );
}

function parseValues(json: string): Record<string, unknown> {
  let values: unknown;
  try {
    values = JSON.parse(json === '' ? '{}' : json);
  } catch (err) {
    throw AmeideError.invalidArgument(`values_json is not JSON: ${(err as Error).message}`, [
      { field: 'values_json', description: 'a JSON object of template parameters' },
    ]);
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw AmeideError.invalidArgument('values_json must be a JSON object', [
      { field: 'values_json', description: 'a JSON object of template parameters' },
    ]);
  }
  return values as Record<string, unknown>;
}

/**
 * Serves `ameide.factory.v1.FactoryService` from the repository's templates: ListTemplates, and
 * ProposeScaffold, which renders a template exactly as `ameide scaffold` does and answers the
 * files as a patch, writing nothing. A tenant-owned primitive may only be proposed for the
 * caller's own tenant.
 */
export function factoryServiceRoutes(options: { templatesDir?: string } = {}): ServiceRegistration {
  const dir = options.templatesDir;
  return (router: ConnectRouter) => {
    router.service(FactoryService, {
      async listTemplates() {
        const templates = await (dir ? listTemplates(dir) : listTemplates());
        return {
          templates: templates.map((t) => ({
            name: t.name,
            title: t.title,
            description: t.description,
            type: t.type,
            parameterSchemas: t.parameters.map((p) => JSON.stringify(p)),
          })),
        };
      },
      async proposeScaffold(req, ctx) {
        const caller = getRequestContext(ctx);
        // A name, never a path: the service reads only the repository's own templates.
        if (!/^[a-z][a-z0-9-]{0,62}$/.test(req.template)) {
          throw AmeideError.invalidArgument('template must be the name of a template', [
            { field: 'template', description: 'e.g. domain-primitive (see ListTemplates)' },
          ]);
        }
        const values = parseValues(req.valuesJson);
        if (values.ownership === 'tenant' && values.tenant !== caller.tenantId) {
          throw new AmeideError(
            'permission_denied',
            `a tenant-owned primitive may only be proposed for the caller's tenant (${caller.tenantId})`,
            {
              fieldViolations: [
                { field: 'values.tenant', description: `must be ${caller.tenantId}` },
              ],
            },
          );
        }
        let scaffold;
        try {
          const template = await (dir
            ? findTemplate(req.template, dir)
            : findTemplate(req.template));
          scaffold = await renderTemplate(template, values);
        } catch (err) {
          if (err instanceof InvalidValuesError) {
            throw AmeideError.invalidArgument(
              `invalid input for template ${err.template}`,
              err.violations.map((v) => ({
                field: `values.${v.field}`,
                description: v.description,
              })),
            );
          }
          if (err instanceof TemplateFileError) {
            throw new AmeideError('not_found', err.message, {
              fieldViolations: [{ field: 'template', description: 'no such template' }],
            });
          }
          throw err;
        }
        const files = scaffold.entries.filter(
          (e): e is Extract<RenderedEntry, { kind: 'file' }> => e.kind === 'file',
        );
        return {
          template: scaffold.template,
          files: files.map((f) => ({
            path: f.path,
            mode: f.mode,
            sizeBytes: BigInt(f.content.length),
          })),
          patch: files.map(newFileDiff).join(''),
          skippedSteps: scaffold.steps
            .filter((s) => s.outcome === 'skipped')
            .map((s) => ({ id: s.id, action: s.action })),
        };
      },
    });
  };
}
