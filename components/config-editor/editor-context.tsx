'use client';

import { createContext, useContext } from 'react';
import { fieldId, getIn } from '@/components/config-editor/draft';
import type { FieldErrors } from '@/lib/schemas/issues';
import type { ConfigInput } from '@/lib/schemas/config';

export interface EditorState {
  draft: ConfigInput;
  /** The (masked) version the edit started from: tells new list items from stored ones. */
  base: ConfigInput;
  errors: FieldErrors;
  set: (path: string, value: unknown) => void;
  readOnly: boolean;
}

export const EditorContext = createContext<EditorState | null>(null);

export function useEditor(): EditorState {
  const editor = useContext(EditorContext);
  if (!editor) throw new Error('useEditor outside <EditorContext>');
  return editor;
}

/** Everything a control bound to one path needs. */
export function useField<T>(path: string) {
  const { draft, errors, set, readOnly } = useEditor();
  return {
    id: fieldId(path),
    value: getIn(draft, path) as T,
    error: errors[path]?.[0],
    set: (value: T) => set(path, value),
    readOnly,
  };
}

/** Errors at `path` or inside it (`urls.redirectUrls` gets `urls.redirectUrls.3` too). */
export function errorsUnder(errors: FieldErrors, path: string): [string, string[]][] {
  return Object.entries(errors).filter(([key]) => key === path || key.startsWith(`${path}.`));
}
