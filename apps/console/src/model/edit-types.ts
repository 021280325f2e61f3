import type { ProcessDefinition } from '@ameide/process-definition';

/** What an edit returns: the next definition and the ids it created or touched, or why it was refused. */
export type EditResult =
  | { readonly ok: true; readonly definition: ProcessDefinition; readonly ids: readonly string[] }
  | { readonly ok: false; readonly message: string };
