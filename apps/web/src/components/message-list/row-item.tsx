import type { ChatClient } from "@chatroom/client";
import type { HTMLAttributes } from "react";
import type { ItemProps, ListProps } from "react-virtuoso";
import { ChatRow } from "./chat-row";
import { DaySeparatorRow } from "./day-separator-row";
import { EventRow } from "./event-row";
import type { OutboxContext } from "./list-context";
import type { ListRow } from "./list-rows";
import { ModerationRow } from "./moderation-row";
import { OutboxRow } from "./outbox-row";
import { RefusedChange } from "./refused-change";
import { UnreadDividerRow } from "./unread-divider-row";

/** What the list hands every row through react-virtuoso's `context`. */
export interface RowContext extends OutboxContext {
  client: ChatClient;
  myId: string | undefined;
  myName: string;
  /** The chat a reply's quote brought into view, marked until the next jump. */
  highlighted: number | null;
}

type RowAttributes = HTMLAttributes<HTMLLIElement> & Record<`data-${string}`, string | number | undefined>;

/**
 * The row element's own attributes: its class and the test hooks (`chat-message` with its seq and
 * author, `event-line`, `unread-divider`, `outbox-message`). They sit on the element the list
 * measures, so rows are siblings in the DOM as they were before virtualization.
 */
export function rowAttributes(row: ListRow, myId: string | undefined): RowAttributes {
  switch (row.kind) {
    case "day":
      return { className: "day-separator" };
    case "unread":
      return { className: "unread-divider", "data-testid": "unread-divider" };
    case "event":
      return { className: `event event-${row.entry.event.kind}`, "data-testid": "event-line", "data-kind": row.entry.event.kind };
    case "moderation":
      return {
        className: `event event-moderation moderation-${row.event.action}`,
        "data-testid": "moderation-line",
        "data-action": row.event.action,
        "data-seq": row.event.seq,
      };
    case "chat": {
      const { message } = row;
      const mine = message.from.id === myId;
      return {
        className: `message${mine ? " mine" : ""}${row.grouped ? " grouped" : ""}${message.deleted ? " deleted" : ""}`,
        "data-testid": "chat-message",
        "data-seq": message.seq,
        "data-from": message.from.name,
        "data-mine": mine ? "true" : undefined,
        "data-edited": message.edited ? "true" : undefined,
        "data-deleted": message.deleted ? "true" : undefined,
      };
    }
    case "outbox":
      return { className: `message mine outbox ${row.entry.status}`, "data-testid": "outbox-message", "data-status": row.entry.status };
    case "change":
      return { className: "message mine outbox failed", "data-testid": "outbox-change", "data-kind": row.entry.kind };
  }
}

/** react-virtuoso's row element: an <li> carrying the row's own attributes (it passes `item`, the row). */
export function RowItem({ item, context, ...props }: ItemProps<ListRow> & { context: RowContext }) {
  const attributes = rowAttributes(item, context.myId);
  if (item.kind === "chat" && item.message.seq === context.highlighted) attributes.className += " highlight";
  return <li {...props} {...attributes} />;
}

/** react-virtuoso's list element: the rows' <ul>. */
export function RowList(props: ListProps<HTMLUListElement>) {
  return <ul {...props} className="items" />;
}

/** The inside of one row. */
export function rowContent(_index: number, row: ListRow, context: RowContext) {
  switch (row.kind) {
    case "day":
      return <DaySeparatorRow ts={row.ts} />;
    case "unread":
      return <UnreadDividerRow />;
    case "event":
      return <EventRow entry={row.entry} />;
    case "moderation":
      return <ModerationRow event={row.event} />;
    case "chat":
      return (
        <ChatRow
          message={row.message}
          grouped={row.grouped}
          pending={context.pending.get(row.message.seq)}
          refused={context.refused.get(row.message.seq)}
        />
      );
    case "outbox":
      return (
        <OutboxRow
          entry={row.entry}
          client={context.client}
          author={context.myName}
          target={row.entry.replyTo === undefined ? undefined : context.chatAt(row.entry.replyTo)}
        />
      );
    case "change":
      return <RefusedChange entry={row.entry} client={context.client} />;
  }
}
