import { createContext, useContext, useMemo, useState } from "react";

/** What the composer's next submit does besides posting: answer a message, or replace one of ours. */
export type ComposerIntent =
  | { kind: "reply"; room: string; seq: number; author: string }
  | { kind: "edit"; room: string; seq: number; text: string };

export interface ComposerIntentControl {
  /** The intent for `room`, or null (an intent from another room is over once that room is left). */
  intentIn(room: string): ComposerIntent | null;
  reply(room: string, seq: number, author: string): void;
  edit(room: string, seq: number, text: string): void;
  cancel(): void;
}

const ComposerIntentContext = createContext<ComposerIntentControl | null>(null);

/** Provided once by the app around the list (which starts replies and edits) and the composer (which carries them out). */
export const ComposerIntentProvider = ComposerIntentContext.Provider;

/** Creates the app's one ComposerIntentControl. */
export function useComposerIntentRoot(): ComposerIntentControl {
  const [intent, setIntent] = useState<ComposerIntent | null>(null);
  return useMemo(
    () => ({
      intentIn: (room) => (intent?.room === room ? intent : null),
      reply: (room, seq, author) => setIntent({ kind: "reply", room, seq, author }),
      edit: (room, seq, text) => setIntent({ kind: "edit", room, seq, text }),
      cancel: () => setIntent(null),
    }),
    [intent],
  );
}

export function useComposerIntent(): ComposerIntentControl {
  const control = useContext(ComposerIntentContext);
  if (!control) throw new Error("useComposerIntent needs a ComposerIntentProvider above it");
  return control;
}
