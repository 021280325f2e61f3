import type { Database } from '@ameide/persistence';
import type { ServiceRegistration } from '@ameide/server';
import {
  createArtifactStore,
  createProcessDefinitionTools,
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
    rules: { process_definition: processDefinitionRules() },
    ...(options.watchPollMs !== undefined ? { watchPollMs: options.watchPollMs } : {}),
  });
  return {
    store,
    routes: transformationServiceRoutes({ store, processes: createProcessDefinitionTools() }),
  };
}
