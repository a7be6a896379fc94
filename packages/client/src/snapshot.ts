import type { ChatFrame, NotifyLevel, ReadyLimits, User } from "@chatroom/protocol";
import type { OutboxEntry } from "./outbox/outbox";
import type { RoomAccess } from "./room/access";
import type { ChatAlert, NameAdjusted, RoomRemoval } from "./room/alerts";
import type { HistoryEdge } from "./room/history-sync";
import type { MessageFocus } from "./room/history-window";
import type { LogItem } from "./room/message-log";
import type { StaffView } from "./room/staff-desk";
import type { ConnectionState } from "./transport/connection-machine";

/** One of the user's rooms, as the sidebar lists it. */
export interface RoomSummary {
  room: string;
  /** Chats from others above readSeq: from `ready` until joined, then counted locally. */
  unread: number;
  /** Of `unread`, the chats that mention the user (by name or `@room`): from `ready`/`joined`, then counted locally. */
  unreadMentions: number;
  /** How much of the room notifies the user (`ready`, `joined`, `notify`: every tab follows). */
  notify: NotifyLevel;
  readSeq: number;
  latestSeq: number;
  /** Unsent messages in that room's outbox (queued, in flight or unanswered). */
  unsent: number;
  /** `joined` once the room's `joined` arrived on the open socket; `joining` before it and while offline. */
  status: "joining" | "joined";
}

/** What the UI renders. The room-level fields describe the ACTIVE room. */
export interface ChatSnapshot {
  connection: ConnectionState;
  /** The active room. */
  room: string;
  /** Who we are in the active room (its `joined.you`, a suffixed name included), or the tab's user before that. */
  me: User | null;
  members: User[];
  memberCount: number;
  items: LogItem[];
  outbox: OutboxEntry[];
  typing: User[];
  historyEdge: HistoryEdge;
  loadingOlder: boolean;
  /** The message a link or a search result opened in the active room (highlighted), or null. */
  focus: MessageFocus | null;
  /** Grows with every link opened and every jump to the present: the list starts afresh for each. */
  focusEpoch: number;
  /** The log shows a link's window apart from the live end: reading down loads newer pages, "Jump to present" leaves it. */
  detached: boolean;
  loadingNewer: boolean;
  limits: ReadyLimits;
  /** The latest error the user should see, e.g. a refused rename. */
  alert: ChatAlert | null;
  /** Set when the name we asked for was taken and the server gave us another. */
  nameAdjusted: NameAdjusted;
  /** Newest live chat from someone else in the active room, for announcements. */
  lastIncoming: ChatFrame | null;
  /** How many live chats from others arrived in the active room while it was active: screen readers diff it. */
  incomingCount: number;
  /** The user's rooms, ordered by name (stable across renders while nothing in them changes). */
  rooms: RoomSummary[];
  /** Unread over every room, except the active one while the page is visible. */
  totalUnread: number;
  /** The active room's readSeq when it was opened: the "new messages" line goes above the first chat after it. */
  readMarkerSeq: number | null;
  /** Our role in the active room and its rules: private, locked, slow mode, our mute, its staff. */
  access: RoomAccess;
  /** The active room's invites, bans, mutes and open reports, once the page asked for them (staff only). */
  staffView: StaffView | null;
  /** This connection holds the server admin's key. */
  admin: boolean;
  /** The latest room the server removed us from (kicked, banned, refused), until dismissed. */
  roomRemoval: RoomRemoval | null;
}

/**
 * The listeners and the current snapshot. Each part caches its own slice (log items, members,
 * outbox, typing, rooms) and rebuilds it only when it changes, so a new snapshot keeps the arrays
 * that did not change and React skips what depends on them.
 */
export class SnapshotStore {
  private current: ChatSnapshot;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly build: () => ChatSnapshot) {
    this.current = build();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = (): ChatSnapshot => this.current;

  /** Rebuilds the snapshot from the slices and tells every listener. */
  publish(): void {
    this.current = this.build();
    for (const listener of this.listeners) listener();
  }
}
