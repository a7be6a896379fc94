import { type ChatClient, type ChatSnapshot, type OutboxEntry, pendingOverlay } from "@chatroom/client";
import { normalizeEmoji } from "@chatroom/protocol";
import { lazy, type RefObject, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Virtuoso, type VirtuosoHandle } from "react-virtuoso";
import { useComposerFocus } from "../../hooks/use-composer-focus";
import { useComposerIntent } from "../../hooks/use-composer-intent";
import { useStrings } from "../../i18n/use-strings";
import { UI_TUNABLES } from "../../ui-tunables";
import { EmojiPopover } from "../emoji/emoji-popover";
import { useFirstItemIndex } from "./first-item-index";
import { HistoryEdge } from "./history-edge";
import { type ListContext, ListContextValue } from "./list-context";
import { groupRows, isRefused, listRows } from "./list-rows";
import { type RowContext, RowItem, RowList, rowContent } from "./row-item";
import { useFollowBottom } from "./use-follow-bottom";
import { rowIndexOf, useJumpToMessage } from "./use-jump-to-message";
import { useLogLookups } from "./use-log-lookups";
import { useMarkRead } from "./use-mark-read";
import { useUnreadDivider } from "./use-unread-divider";

const ReportDialog = lazy(() => import("../staff/report-dialog").then((module) => ({ default: module.ReportDialog })));

/** The first emoji form the server takes: the picker's data spells some with a presentation selector RGI leaves out ("👍️"). */
function rgiEmoji(raw: string): string | null {
  return normalizeEmoji(raw) ?? normalizeEmoji(raw.replaceAll("\uFE0F", ""));
}

/** The chat at `seq` is rendered and at least partly inside the scroller's visible box (nothing to show counts as shown). */
function isOnScreen(scroller: HTMLElement | null, seq: number | undefined): boolean {
  if (seq === undefined) return true;
  const row = scroller?.querySelector(`[data-testid=chat-message][data-seq="${seq}"]`);
  if (!scroller || !row) return false;
  const box = scroller.getBoundingClientRect();
  const { top, bottom } = row.getBoundingClientRect();
  return bottom > box.top && top < box.bottom;
}

/**
 * Where the page reaches the mounted list's jump (the staff panel's "Show message"), so it loads
 * and scrolls exactly like a reply's quote. Null while no list is open.
 */
export type MessageJumpHandle = RefObject<((seq: number) => void) | null>;

/**
 * The active room's log, virtualized with react-virtuoso: the stored chats and events as rows,
 * then the user's unsent chats. The app mounts one per room (keyed by it), so every opening
 * starts afresh: at the bottom, or at the "new messages" line when there was news.
 */
export function MessageList({ client, chat, jumpHandle }: { client: ChatClient; chat: ChatSnapshot; jumpHandle?: MessageJumpHandle }) {
  const { marker, decided } = useUnreadDivider(chat);
  const logRows = useMemo(() => groupRows(chat.items, UI_TUNABLES.groupWindowMs, marker), [chat.items, marker]);
  const summary = chat.rooms.find((room) => room.room === chat.room);
  // Where the room opens is settled once: wait until it is known whether there is news and, if so,
  // until its line is in the log (or the log is as current as it will get), so the list never
  // opens at the bottom, marks the room read, and only then learns where the news started.
  // Offline, the log will not get more current: show what it holds.
  const { connection } = chat;
  const linkDown = connection.status === "reconnecting" || (connection.status === "closed" && connection.reason !== "stopped");
  // And a room about to be joined opens once its log is in: react-virtuoso places the first rows it gets.
  const joined = summary?.status === "joined";
  const ready =
    linkDown || (decided && (marker === null ? logRows.length > 0 || joined : logRows.some((row) => row.kind === "unread") || joined));
  // A link opens the list at its message, once the page around it is in.
  if (chat.focus?.loading) return <LoadingMessage />;
  if (!ready) return <div className="log-wrapper" />;
  return <OpenedList client={client} chat={chat} logRows={logRows} jumpHandle={jumpHandle} />;
}

function OpenedList({
  client,
  chat,
  logRows,
  jumpHandle,
}: {
  client: ChatClient;
  chat: ChatSnapshot;
  logRows: ReturnType<typeof groupRows>;
  jumpHandle: MessageJumpHandle | undefined;
}) {
  const t = useStrings();
  const virtuoso = useRef<VirtuosoHandle>(null);
  const { focusComposer } = useComposerFocus();
  const intent = useComposerIntent();
  const { chatAt, nameOf } = useLogLookups(chat.members, chat.items);
  const rows = useMemo(() => listRows(logRows, chat.outbox, chatAt), [logRows, chat.outbox, chatAt]);
  const firstItemIndex = useFirstItemIndex(rows);
  const [pickerFor, setPickerFor] = useState<number | null>(null);
  const [reporting, setReporting] = useState<number | null>(null);
  const [missingNotice, setMissingNotice] = useState(() => chat.focus !== null && rowIndexOf(rows, chat.focus.seq) < 0);
  const [renderedRange, setRenderedRange] = useState("");

  // Decided once, at mount: at a link's message (or where it would be), else at the "new messages"
  // line (react-virtuoso stops at the bottom if what follows it fits), else at the newest row.
  const [opening] = useState(() => {
    const focus = chat.focus?.seq;
    const at = focus === undefined ? -1 : rows.findIndex((row) => row.kind === "chat" && row.message.seq >= focus);
    if (at >= 0) return { index: at, align: "center" as const };
    // Back from a link's window ("Jump to present"): the present is the bottom.
    const divider = chat.focusEpoch > 0 ? -1 : rows.findIndex((row) => row.kind === "unread");
    return divider >= 0 ? { index: divider, align: "start" as const } : { index: "LAST" as const, align: "end" as const };
  });
  const { readerMoved, watchReader } = useReaderMoved(chat.focus === null);
  const outboxChats = chat.outbox.filter((entry) => entry.kind === "chat").length;
  const follow = useFollowBottom({ virtuoso, incomingCount: chat.incomingCount, outboxChats, startsAtBottom: opening.align === "end" });
  const { jumpTo, highlighted } = useJumpToMessage({
    virtuoso,
    rows,
    client,
    onMissing: () => setMissingNotice(true),
    initial: chat.focus?.seq ?? null,
  });
  const newestChat = chat.items.findLast((item) => item.type === "chat");
  useMarkRead({
    client,
    atBottom: follow.atBottom,
    isNewestOnScreen: () => isOnScreen(follow.scroller(), newestChat?.type === "chat" ? newestChat.message.seq : undefined),
    newestKey: chat.items.at(-1)?.key,
    renderedRange,
  });

  const room = chat.room;
  const listContext = useMemo<ListContext>(
    () => ({
      client,
      myId: chat.me?.id,
      nameOf,
      editWindowMs: chat.limits.editWindowMs,
      reply: (message) => {
        intent.reply(room, message.seq, message.from.name);
        focusComposer();
      },
      edit: (message) => {
        intent.edit(room, message.seq, message.text ?? "");
        focusComposer();
      },
      pickEmoji: setPickerFor,
      jumpTo: (seq) => {
        setMissingNotice(false);
        jumpTo(seq);
      },
      access: chat.access,
      report: setReporting,
    }),
    [client, chat.me?.id, nameOf, chat.limits.editWindowMs, intent, room, focusComposer, jumpTo, chat.access],
  );

  useEffect(() => {
    if (!jumpHandle) return;
    const jump = listContext.jumpTo;
    jumpHandle.current = jump;
    return () => {
      if (jumpHandle.current === jump) jumpHandle.current = null;
    };
  }, [jumpHandle, listContext]);

  const rowContext = useMemo<RowContext & { header: HeaderState; newer: NewerState }>(() => {
    const refused = new Map<number, OutboxEntry[]>();
    for (const entry of chat.outbox) {
      if (entry.kind === "chat" || entry.target === undefined || !isRefused(entry) || !chatAt(entry.target)) continue;
      refused.set(entry.target, [...(refused.get(entry.target) ?? []), entry]);
    }
    return {
      client,
      myId: chat.me?.id,
      myName: chat.me?.name ?? "",
      pending: pendingOverlay(chat.outbox),
      refused,
      chatAt,
      highlighted,
      header: {
        show: chat.me !== null,
        edge: chat.historyEdge,
        loadingOlder: chat.loadingOlder,
        loadOlder: () => client.loadOlder(),
      },
      newer: { detached: chat.detached, loading: chat.loadingNewer },
    };
  }, [client, chat.me, chat.outbox, chatAt, highlighted, chat.historyEdge, chat.loadingOlder, chat.detached, chat.loadingNewer]);

  const canLoadOlder = chat.historyEdge === "more" && !chat.loadingOlder && chat.me !== null;
  const closePicker = useCallback(() => setPickerFor(null), []);

  return (
    <ListContextValue.Provider value={listContext}>
      <div className="log-wrapper">
        <Virtuoso<(typeof rows)[number], typeof rowContext>
          ref={virtuoso}
          className="log"
          data-testid="message-log"
          role="log"
          // The announcer below speaks new messages once; the log itself stays quiet.
          aria-live="off"
          aria-label={t.logLabel}
          // Focusable, so keyboard users can scroll it.
          tabIndex={0}
          data={rows}
          context={rowContext}
          firstItemIndex={firstItemIndex}
          initialTopMostItemIndex={opening}
          computeItemKey={(_index, row) => row.key}
          itemContent={rowContent}
          components={COMPONENTS}
          // In a link's window the rows below are older than the present: nothing to follow there.
          followOutput={chat.detached ? false : follow.followOutput}
          endReached={() => {
            if (chat.detached) client.loadNewer();
          }}
          atBottomThreshold={UI_TUNABLES.bottomSlackPx}
          atBottomStateChange={follow.onAtBottomChange}
          atTopThreshold={UI_TUNABLES.loadOlderWithinPx}
          atTopStateChange={(atTop) => {
            // A list opened at a link's message may start with its top in view: older pages wait
            // for the reader to move, or they would shift the rows before the reader saw the message.
            if (atTop && canLoadOlder && readerMoved.current) client.loadOlder();
          }}
          totalListHeightChanged={chat.detached ? undefined : follow.onHeightChange}
          rangeChanged={({ startIndex, endIndex }) => setRenderedRange(`${startIndex}-${endIndex}`)}
          scrollerRef={(element) => {
            follow.scrollerRef(element);
            watchReader(element);
          }}
          increaseViewportBy={UI_TUNABLES.overscanPx}
        />
        {chat.detached ? (
          <button type="button" className="new-messages" onClick={() => client.jumpToPresent()} data-testid="jump-to-present">
            {t.jumpToPresent}
          </button>
        ) : (
          follow.unseen > 0 && (
            <button type="button" className="new-messages" onClick={follow.jumpToBottom} data-testid="new-messages">
              {t.newMessages(follow.unseen)}
            </button>
          )
        )}
        {missingNotice && (
          <p className="list-notice" role="status" data-testid="message-missing">
            {chat.focus !== null && highlighted === chat.focus.seq ? t.messageUnavailable : t.quoteUnavailable}
          </p>
        )}
        {pickerFor !== null && (
          <EmojiPopover
            onClose={closePicker}
            onPick={(raw) => {
              const emoji = rgiEmoji(raw);
              const mine = chatAt(pickerFor)
                ?.reactions?.find((reaction) => reaction.emoji === emoji)
                ?.users.includes(chat.me?.id ?? "");
              if (emoji && !mine) client.react(pickerFor, emoji, true);
              setPickerFor(null);
              focusComposer();
            }}
          />
        )}
        {reporting !== null && (
          <Suspense fallback={null}>
            <ReportDialog client={client} target={reporting} onClose={() => setReporting(null)} />
          </Suspense>
        )}
        <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
          {chat.lastIncoming ? t.announceMessage(chat.lastIncoming.from.name, chat.lastIncoming.text ?? "") : ""}
        </div>
      </div>
    </ListContextValue.Provider>
  );
}

const READER_MOVES = ["wheel", "touchmove", "keydown"] as const;

/** Whether the reader has scrolled the list themselves (wheel, touch, keys); `from` the start when `already`. */
function useReaderMoved(already: boolean) {
  const readerMoved = useRef(already);
  const watched = useRef<HTMLElement | null>(null);
  // One listener for the list's life, so the scroller it was added to can take it off again.
  const [noteMoved] = useState(() => () => {
    readerMoved.current = true;
  });
  const watchReader = useCallback(
    (element: HTMLElement | Window | null) => {
      for (const type of READER_MOVES) watched.current?.removeEventListener(type, noteMoved);
      watched.current = element instanceof HTMLElement ? element : null;
      for (const type of READER_MOVES) watched.current?.addEventListener(type, noteMoved, { passive: true });
    },
    [noteMoved],
  );
  return { readerMoved, watchReader };
}

interface HeaderState {
  show: boolean;
  edge: ChatSnapshot["historyEdge"];
  loadingOlder: boolean;
  loadOlder: () => void;
}

/** The top of the log: a "load older" button while there is more, else why the log starts here. */
function Header({ context }: { context: { header: HeaderState } }) {
  const { show, edge, loadingOlder, loadOlder } = context.header;
  return show ? <HistoryEdge edge={edge} loadingOlder={loadingOlder} onShowOlder={loadOlder} /> : null;
}

interface NewerState {
  detached: boolean;
  loading: boolean;
}

/** Room below the newest row, inside what the list measures; in a link's window, the newer pages coming in. */
function Footer({ context }: { context: { newer: NewerState } }) {
  const t = useStrings();
  return (
    <div className="log-footer">
      {context.newer.detached && (
        <p className="history-edge" role="status" data-testid="loading-newer">
          {t.loadingNewer}
        </p>
      )}
    </div>
  );
}

/** While the page around a link's message is on its way. */
function LoadingMessage() {
  const t = useStrings();
  return (
    <div className="log-wrapper">
      <p className="list-notice" role="status" data-testid="loading-message">
        {t.loadingMessage}
      </p>
    </div>
  );
}

// One object for the list's life: react-virtuoso remounts its parts when these change.
const COMPONENTS = { List: RowList, Item: RowItem, Header, Footer };
