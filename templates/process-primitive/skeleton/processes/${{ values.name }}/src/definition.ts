import { readFileSync } from 'node:fs';

/** The ${{ values.name }} ProcessDefinition (../definition.json), as JSON. */
export const definition: unknown = JSON.parse(
  readFileSync(new URL('../definition.json', import.meta.url), 'utf8'),
);

/** Its id: the name it is published under in the Transformation Domain. */
export const DEFINITION_ID = '${{ values.name }}';
