import type { ObjectStore } from '@ameide/object-store';
import type { Database } from '@ameide/persistence';
import type { ServiceRegistration } from '@ameide/server';
import {
  agentDefinitionRules,
  createArtifactStore,
  createProcessDefinitionTools,
  decisionDefinitionRules,
  extensionDefinitionRules,
  processDefinitionRules,
  transformationServiceRoutes,
  type ArtifactStore,
} from '@ameide/transformation';

/** The Transformation Domain on one database: its artifact store and TransformationService. */
export interface TransformationPrimitive {
  readonly store: ArtifactStore;
  readonly routes: ServiceRegistration;
}

export interface TransformationOptions {
  /** Where extension modules live: publishing an ExtensionDefinition validates its module. */
  readonly objects?: ObjectStore;
  /** How often WatchArtifacts polls (default: the store's). */
  readonly watchPollMs?: number;
}

/** Builds the Transformation Domain on a migrated database. */
export function createTransformationPrimitive(
  db: Database,
  options: TransformationOptions = {},
): TransformationPrimitive {
  const store = createArtifactStore({
    db,
    rules: {
      process_definition: processDefinitionRules(),
      extension_definition: extensionDefinitionRules({ modules: options.objects }),
      agent_definition: agentDefinitionRules(),
      decision_definition: decisionDefinitionRules(),
    },
    ...(options.watchPollMs !== undefined ? { watchPollMs: options.watchPollMs } : {}),
  });
  return {
    store,
    routes: transformationServiceRoutes({ store, processes: createProcessDefinitionTools() }),
  };
}
