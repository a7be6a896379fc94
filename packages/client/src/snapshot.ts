import type { ChatFrame, User, WelcomeLimits } from "@chatroom/protocol";
import type { OutboxEntry } from "./outbox/outbox";
import type { UnsentRoom } from "./outbox/unsent-elsewhere";
import type { ChatAlert, NameAdjusted } from "./room/alerts";
import type { HistoryEdge } from "./room/history-sync";
import type { LogItem } from "./room/message-log";
import type { ConnectionState } from "./transport/connection-machine";

export interface ChatSnapshot {
  connection: ConnectionState;
  room: string;
  me: User | null;
  members: User[];
  memberCount: number;
  items: LogItem[];
  outbox: OutboxEntry[];
  typing: User[];
  historyEdge: HistoryEdge;
  loadingOlder: boolean;
  limits: WelcomeLimits;
  /** The latest error the user should see, e.g. a refused rename. */
  alert: ChatAlert | null;
  /** Set when the name we asked for was taken and the server gave us another. */
  nameAdjusted: NameAdjusted;
  /** Newest live chat from someone else, for announcements. */
  lastIncoming: ChatFrame | null;
  /** How many live chats from others arrived since this client started: unread counts diff it. */
  incomingCount: number;
  /**
   * Other rooms this tab left with messages not yet stored. `sending`: a background connection is
   * delivering them now; otherwise they wait until the user opens that room again.
   */
  unsentElsewhere: UnsentRoom[];
}

/**
 * The listeners and the current snapshot. Each part caches its own slice (log items, members,
 * outbox, typing, unsent elsewhere) and rebuilds it only when it changes, so a new snapshot keeps
 * the arrays that did not change and React skips what depends on them.
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
