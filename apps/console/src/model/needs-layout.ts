import type { ProcessDefinition } from '@ameide/process-definition';

/** Whether a definition has no usable layout (every node at the origin, e.g. generated or imported without DI). */
export function needsLayout(definition: ProcessDefinition): boolean {
  return (
    definition.nodes.length > 1 &&
    definition.nodes.every((n) => n.position.x === 0 && n.position.y === 0)
  );
}
