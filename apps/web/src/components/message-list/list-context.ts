import type { ChatClient, OutboxEntry, PendingChange, RoomAccess } from "@chatroom/client";
import type { ChatFrame } from "@chatroom/protocol";
import { createContext, useContext } from "react";

/** What every row of the list may need besides its own data; stable while the room and its people are. */
export interface ListContext {
  client: ChatClient;
  myId: string | undefined;
  /** A name for a user id: a member's, or an author's in the log (for "who reacted"). */
  nameOf(id: string): string | undefined;
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
  /** Our role here and the room's staff: badges, and what staff may do to a message. */
  access: RoomAccess;
  /** Open the report dialog for the chat at `seq`. */
  report(seq: number): void;
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
  /** The held chat at a seq, for the quotes of unsent replies. */
  chatAt(seq: number): ChatFrame | undefined;
}
