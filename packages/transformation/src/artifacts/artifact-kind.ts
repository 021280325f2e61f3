/** Kinds of design artifact, as stored. */
export const ArtifactKind = {
  ProcessDefinition: 'process_definition',
  AgentDefinition: 'agent_definition',
  ExtensionDefinition: 'extension_definition',
  DecisionDefinition: 'decision_definition',
  Document: 'document',
  Diagram: 'diagram',
} as const;
export type ArtifactKind = (typeof ArtifactKind)[keyof typeof ArtifactKind];

export const artifactKinds: readonly ArtifactKind[] = Object.values(ArtifactKind);

/** Lifecycle status, as stored. */
export const ArtifactStatus = {
  Draft: 'draft',
  Published: 'published',
  Archived: 'archived',
} as const;
export type ArtifactStatus = (typeof ArtifactStatus)[keyof typeof ArtifactStatus];
