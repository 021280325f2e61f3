import { createContext, useContext } from 'react';

/** What node components may ask of the modeller (resizing containers and lanes). */
export interface EditorActions {
  readonly resizeNode: (
    id: string,
    size: { width: number; height: number; x: number; y: number },
  ) => void;
  readonly readOnly: boolean;
}

export const EditorActionsContext = createContext<EditorActions>({
  resizeNode: () => undefined,
  readOnly: true,
});

export function useEditorActions(): EditorActions {
  return useContext(EditorActionsContext);
}
