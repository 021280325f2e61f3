import { createHash } from 'node:crypto';
import { AmeideError, ErrorCode, isAmeideError } from '@ameide/errors';
import { validateModule } from '@ameide/extensions-runtime';
import type { ArtifactKindRules } from '../artifacts/content-rules.js';
import { refuseIfInvalid } from '../artifacts/content-rules.js';
import {
  EXTENSION_POLICY,
  lintExtensionDefinition,
  type ExtensionDefinition,
} from './extension-definition.js';

/** Where published definitions' modules are read from (the tenant's object store). */
export interface ModuleSource {
  get(tenantId: string, sha256: string): Promise<Uint8Array>;
}

/**
 * The pinned runtime configuration a published ExtensionDefinition version
 * compiles to (stored with the version; its sha256 is the version's plan hash).
 */
export interface ExtensionRuntimeConfig extends ExtensionDefinition {
  readonly configVersion: 1;
  /** Size of the module the publish step validated. */
  readonly moduleBytes: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function parse(content: Uint8Array) {
  return lintExtensionDefinition(JSON.parse(decoder.decode(content)) as unknown);
}

/**
 * Validation and publish hooks of the `extension_definition` kind: every draft
 * is linted (EXD codes); publishing reads the module from the tenant's store
 * and refuses it when it breaks the guest ABI or the declared limits (EXT
 * codes: memory not imported or without a maximum within the definition's
 * limit, imports outside the ABI, entry point not exported, too large), then
 * stores the pinned {@link ExtensionRuntimeConfig}.
 */
export function extensionDefinitionRules(options: {
  /** Without one, definitions are linted but publishing is refused (nothing could check the module). */
  modules: ModuleSource | undefined;
}): ArtifactKindRules {
  return {
    validate(content, contentType) {
      if (!/json/i.test(contentType)) {
        return [
          { field: 'content_type', description: 'extension definitions are application/json' },
        ];
      }
      return parse(content).violations;
    },
    async publish(content, _contentType, context) {
      const { definition, violations } = parse(content);
      refuseIfInvalid('extension definition', violations);
      const d = definition!;
      if (!options.modules) {
        throw new AmeideError(
          ErrorCode.FailedPrecondition,
          `extension ${d.name}: this Transformation Domain has no object store, so it cannot check the module; publish through a platform started with one`,
          { reason: 'NO_OBJECT_STORE', domain: 'ameide.extensions' },
        );
      }
      let bytes: Uint8Array;
      try {
        bytes = await options.modules.get(context.tenantId, d.module.sha256);
      } catch (err) {
        if (isAmeideError(err) && err.code === ErrorCode.NotFound) {
          throw new AmeideError(
            ErrorCode.FailedPrecondition,
            `extension ${d.name}: module ${d.module.sha256} is not stored for this tenant; upload it with ExtensionService.PutExtensionModule (ameide extension publish does)`,
            {
              reason: 'EXTENSION_MODULE_NOT_FOUND',
              domain: 'ameide.extensions',
              fieldViolations: [{ field: 'content.module.sha256', description: 'no such module' }],
            },
          );
        }
        throw err;
      }
      const moduleViolations = validateModule(bytes, {
        maxMemoryPages: d.limits.maxMemoryPages,
        entryPoint: d.entryPoint,
        maxModuleBytes: EXTENSION_POLICY.maxModuleBytes,
      });
      refuseIfInvalid(
        `extension ${d.name}: module ${d.module.sha256.slice(0, 12)}`,
        moduleViolations.map((v) => ({
          field: `content.${v.field}`,
          description: v.description.startsWith(v.rule)
            ? v.description
            : `${v.rule}: ${v.description}`,
        })),
      );
      const config: ExtensionRuntimeConfig = {
        ...d,
        configVersion: 1,
        moduleBytes: bytes.byteLength,
      };
      const plan = encoder.encode(JSON.stringify(config));
      return {
        plan,
        planHash: createHash('sha256').update(plan).digest('hex'),
        references: { hostCalls: [...d.allowedHostCalls].sort() },
      };
    },
  };
}
