import type { ChatClient, OutboxEntry, PendingChange } from "@chatroom/client";
import type { ChatFrame } from "@chatroom/protocol";
import { createContext, useContext } from "react";

/** What every row of the list may need besides its own data; stable while the room and its people are. */
export interface ListContext {
  client: ChatClient;
  myId: string | undefined;
  /** User ids to names: the room's members, then every author in the log (for "who reacted"). */
  names: ReadonlyMap<string, string>;
  /** How long after sending a chat its author may edit it; undefined: no limit. */
  editWindowMs: number | undefined;
  /** Start a reply to `message` in the composer. */
  reply(message: ChatFrame): void;
  /** Start editing `message` (ours) in the composer. */
  edit(message: ChatFrame): void;
  /** Open the full emoji picker to react to the chat at `seq`. */
  pickEmoji(seq: number): void;
  /** Bring the chat at `seq` into view, loading older history if needed. */
  jumpTo(seq: number): void;
}

export const ListContextValue = createContext<ListContext | null>(null);

export function useListContext(): ListContext {
  const context = useContext(ListContextValue);
  if (!context) throw new Error("rows need the message list's ListContext above them");
  return context;
}

/** What changes with the outbox, handed to Virtuoso as its `context` so rows re-render when it does. */
export interface OutboxContext {
  /** The user's pending edits, deletes and reactions, per target seq. */
  pending: ReadonlyMap<number, PendingChange>;
  /** Refused changes per target seq, shown on the target's row with retry and discard. */
  refused: ReadonlyMap<number, readonly OutboxEntry[]>;
  /** Held chats by seq, for the quotes of unsent replies. */
  chats: ReadonlyMap<number, ChatFrame>;
}
