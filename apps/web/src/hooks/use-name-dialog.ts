import type { ChatClient } from "@chatroom/client";
import { useEffect, useRef, useState } from "react";

export type NamingMode = "join" | "rename";

export interface NameDialogState {
  /** Which dialog is open, if any. */
  naming: NamingMode | null;
  open(mode: NamingMode): void;
  /** Closed by choosing a name (focus goes to the composer) or by a cancel (back to the opener). */
  close(outcome: "composer" | "opener"): void;
}

/**
 * The name dialog's flow: a tab with no name yet asks first and starts the client only once named.
 * The dialog unmounts without handing focus back, so it is placed here: after choosing a name, in
 * the composer (unless the drawer it was opened from is still over it); after a cancel, back on
 * the control that opened the dialog.
 */
export function useNameDialog({
  client,
  drawerOpen,
  focusComposer,
}: {
  client: ChatClient;
  drawerOpen: boolean;
  focusComposer: () => void;
}): NameDialogState {
  const [naming, setNaming] = useState<NamingMode | null>(() => (!client.started && !client.hasName ? "join" : null));

  useEffect(() => {
    if (naming !== "join" && !client.started) client.start();
  }, [naming, client]);

  const opener = useRef<HTMLElement | null>(null);
  const focusAfter = useRef<"composer" | "opener">("composer");
  const wasNaming = useRef(naming !== null);
  useEffect(() => {
    if (wasNaming.current && naming === null) {
      const target = opener.current?.isConnected ? opener.current : null;
      const toOpener = focusAfter.current === "opener" || drawerOpen;
      if (toOpener && target) target.focus();
      else focusComposer();
    }
    wasNaming.current = naming !== null;
  }, [naming, drawerOpen, focusComposer]);

  return {
    naming,
    open: (mode) => {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      setNaming(mode);
    },
    close: (outcome) => {
      focusAfter.current = outcome;
      setNaming(null);
    },
  };
}
