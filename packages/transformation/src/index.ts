export { createArtifactStore } from './artifacts/artifact-store.js';
export type {
  Actor,
  ArtifactAt,
  ArtifactChange,
  ArtifactRef,
  ArtifactStore,
  ArtifactStoreOptions,
  ArtifactView,
  CreateArtifactInput,
  LifecycleInput,
  PublishedArtifact,
  ReviseArtifactInput,
} from './artifacts/artifact-store.js';
export { ArtifactKind, ArtifactStatus, artifactKinds } from './artifacts/artifact-kind.js';
export type { ArtifactState, PublishedVersionInfo } from './artifacts/artifact-state.js';
export { ArtifactEventType } from './artifacts/artifact-events.js';
export type { ArtifactPublishedData } from './artifacts/artifact-events.js';
export { MAX_CONTENT_BYTES, sha256Hex } from './artifacts/content-rules.js';
export type {
  ArtifactKindRules,
  KindRules,
  PublishArtifacts,
  PublishContext,
} from './artifacts/content-rules.js';
export type { ArtifactSummary } from './projections/artifact-list.js';
export { migrateTransformation, TRANSFORMATION_SCHEMA } from './migrate-transformation.js';
export { transformationServiceRoutes } from './service/transformation-service.js';
export {
  createProcessDefinitionTools,
  diagnosticToProto,
  platformServiceRegistry,
  processDefinitionRules,
} from './service/process-definition-tools.js';
export type { ProcessDefinitionTools } from './service/process-definition-tools.js';
export {
  EXTENSION_POLICY,
  ExtensionDefinitionRule,
  ExtensionPoint,
  extensionDefinitionSchema,
  lintExtensionDefinition,
  SUPPORTED_ABI_VERSIONS,
} from './extensions/extension-definition.js';
export type {
  ExtensionDefinition,
  ExtensionDefinitionInput,
  ExtensionDefinitionViolation,
} from './extensions/extension-definition.js';
export { extensionDefinitionRules } from './extensions/extension-definition-rules.js';
export { agentDefinitionRules } from './agents/agent-definition-rules.js';
export { decisionDefinitionRules } from './decisions/decision-definition-rules.js';
export type {
  ExtensionRuntimeConfig,
  ModuleSource,
} from './extensions/extension-definition-rules.js';
// For other packages (process runtime, benchmarks, tests).
export { loadArtifact, saveSnapshot } from './artifacts/artifact-loader.js';
export { evolve } from './artifacts/artifact-state.js';
export {
  appendToStream,
  ARTIFACT_AGGREGATE,
  readAll,
  readStream,
  TRANSFORMATION_DOMAIN,
} from './event-store/event-store.js';
export type { EventMetadata, NewEvent, RecordedEvent } from './event-store/event-store.js';
