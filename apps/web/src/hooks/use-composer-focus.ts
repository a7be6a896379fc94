import { createContext, type RefObject, useContext, useMemo, useRef } from "react";

/** How any part of the page puts the keyboard back in the composer, without knowing its DOM id. */
export interface ComposerFocus {
  /** Attached by the composer to its text box. */
  inputRef: RefObject<HTMLTextAreaElement | null>;
  focusComposer(): void;
}

const ComposerFocusContext = createContext<ComposerFocus | null>(null);

/** Provided once by the app around everything that may hand focus to the composer. */
export const ComposerFocusProvider = ComposerFocusContext.Provider;

/** Creates the app's one ComposerFocus (for the provider, and for the app's own use). */
export function useComposerFocusRoot(): ComposerFocus {
  const inputRef = useRef<HTMLTextAreaElement>(null);
  return useMemo(() => ({ inputRef, focusComposer: () => inputRef.current?.focus() }), []);
}

export function useComposerFocus(): ComposerFocus {
  const focus = useContext(ComposerFocusContext);
  if (!focus) throw new Error("useComposerFocus needs a ComposerFocusProvider above it");
  return focus;
}
