import type { ChatFrame, MembershipEntry, NotifyLevel, ReadyLimits, User } from "@chatroom/protocol";
import type { RoomNews } from "../notifications/room-news";
import type { ClientTunables } from "../options";
import { Outbox } from "../outbox/outbox";
import { loadRoomState, RoomPersistence } from "../persistence/room-persistence";
import type { ClientStorage } from "../persistence/storage";
import type { ConnectionTimers } from "../transport/connection";
import type { ConnectionState } from "../transport/connection-machine";
import { RoomAccessState } from "./access";
import type { Alerts } from "./alerts";
import { Composer } from "./composer";
import type { IncomingFrame } from "./frame-router";
import { HistorySync } from "./history-sync";
import type { Identity } from "./identity";
import { type LogItem, MessageLog } from "./message-log";
import { ReadMarker } from "./read-marker";
import { Resume } from "./resume";
import { Reveal } from "./reveal";
import { RoomFeed } from "./room-feed";
import type { RoomLink } from "./room-link";
import { Roster } from "./roster";
import { StaffDesk } from "./staff-desk";
import { Typing } from "./typing";
import { UnreadCounter } from "./unread";

export interface RoomSessionOptions {
  room: string;
  link: RoomLink;
  /** The tab's identity and alerts: shared by every room of the tab. */
  identity: Identity;
  alerts: Alerts;
  storage: ClientStorage;
  timers: ConnectionTimers;
  tunables: ClientTunables;
  /** The server's limits, from the latest `ready`. */
  limits: () => ReadyLimits;
  /** A live chat from someone else arrived in this room. */
  onIncoming: (message: ChatFrame) => void;
  /** A live chat, or an edit of one, arrived (ours too: the notifier decides). */
  onNews: (news: Omit<RoomNews, "room">) => void;
  onChange: () => void;
}

/**
 * One room as this tab sees it: wires the log, history sync, resume, outbox, composer, reveal,
 * roster, typing, read marker and unread count; takes the user's commands and shows the room's
 * state. What the server and the link feed it (its frames, its `ready` entry, the connection's
 * states) goes through room-feed.ts, which hands each to the part that owns it. It owns no socket
 * and no rule of its own, and sends through its `RoomLink`.
 */
export class RoomSession {
  readonly room: string;
  readonly log = new MessageLog();
  readonly history: HistorySync;
  readonly outbox: Outbox;
  readonly roster: Roster;
  readonly typing: Typing;
  /** Our role here and the room's rules (private, locked, slow mode, our mute, the staff). */
  readonly access: RoomAccessState;
  /** Invites, bans, mutes and reports, for staff. */
  readonly desk: StaffDesk;
  /** The user's commands on the outbox: send, edit, remove, react, retry, discard. */
  readonly composer: Composer;
  private readonly resume = new Resume();
  private readonly reveals: Reveal;
  private readonly readMarker: ReadMarker;
  private readonly unread = new UnreadCounter();
  private readonly persistence: RoomPersistence;
  /** Frames, the `ready` entry and link states, each to its part; knows whether `joined` is applied. */
  private readonly feed: RoomFeed;

  constructor(private readonly options: RoomSessionOptions) {
    const { link, timers, tunables, storage } = options;
    this.room = options.room;
    this.history = new HistorySync({ log: this.log, link, timers, joined: () => this.feed.joinApplied, ...tunables });
    const saved = loadRoomState(storage, this.room);
    this.access = new RoomAccessState(() => options.identity.me?.id);
    this.desk = new StaffDesk(() => link.send({ type: "room-admin" }));
    this.history.restore(saved.messages, saved.coverage, saved.clearedThroughSeq, saved.moderation);
    this.reveals = new Reveal(this.log, this.history);
    this.outbox = new Outbox({
      timers,
      restored: saved.outbox,
      // While a resume is being checked, acks could not be matched against the log: the `joined` sends them.
      send: (frame) => this.feed.joinApplied && !this.resume.verifying && link.send(frame),
      ackTimeoutMs: tunables.ackTimeoutMs,
      retryAfterFallbackMs: tunables.retryAfterFallbackMs,
      onUnanswered: () => {
        // Silence is evidence the link may be dead although the socket looks open: check it now.
        link.probe();
        this.changed();
        this.persistNow();
      },
    });
    this.composer = new Composer({
      outbox: this.outbox,
      alerts: options.alerts,
      limits: options.limits,
      stopTyping: () => this.typing.stop(),
      changed: (save) => {
        this.changed();
        if (save) this.persistNow();
      },
    });
    this.readMarker = new ReadMarker({
      timers,
      everyMs: tunables.readMarkerEveryMs,
      send: (seq) => link.send({ type: "read", seq }),
      restored: saved.readSeq,
    });
    this.roster = new Roster(tunables.quietRejoinMs);
    this.typing = new Typing({ timers, send: (frame) => link.send(frame), ...tunables, onChange: () => this.changed() });
    this.persistence = new RoomPersistence({
      storage,
      room: this.room,
      timers,
      persistedMessages: tunables.persistedMessages,
      debounceMs: tunables.saveDebounceMs,
      read: () => ({
        messages: this.log.messages,
        coverage: this.log.coverage,
        outbox: this.outbox.view(),
        clearedThroughSeq: this.history.clearedThroughSeq,
        readSeq: this.readMarker.readSeq,
        moderation: this.log.moderationEvents,
      }),
    });
    const { log, history, resume, outbox, roster, typing, access, desk, readMarker, unread } = this;
    const { identity, alerts, onIncoming, onNews } = options;
    this.feed = new RoomFeed({
      identity,
      alerts,
      timers,
      tunables,
      onIncoming,
      onNews,
      parts: { log, history, resume, outbox, roster, typing, access, desk, readMarker, unread },
      changed: () => this.changed(),
      persistNow: () => this.persistNow(),
    });
  }

  /** Who we are in this room, once joined. */
  get you(): User | null {
    return this.feed.you;
  }

  get readSeq(): number {
    return this.readMarker.readSeq;
  }

  /** The read marker is known (saved, or said by the server) rather than a default. */
  get readSeqKnown(): boolean {
    return this.readMarker.known;
  }

  /** The highest seq this room is known to have reached. */
  get latestSeq(): number {
    return Math.max(this.history.latestSeq, this.log.newestSeq);
  }

  /** Chats from others above the read marker. */
  get unreadCount(): number {
    return this.unread.count(this.log, this.readMarker.readSeq, this.options.identity.me?.id);
  }

  /** Of those, the ones that mention the user (by name or `@room`). */
  get unreadMentionCount(): number {
    return this.unread.mentionCount(this.log, this.readMarker.readSeq, this.options.identity.me?.id);
  }

  get notifyLevel(): NotifyLevel {
    return this.feed.notifyLevel;
  }

  /** A new join of this room: the `since` to ask for, remembered to read its `joined`. */
  beginJoin(): number | undefined {
    return this.resume.attempt(this.history.resumePoint());
  }

  /** The room's entry in `ready` (or null when `ready` did not list it). */
  membership(entry: MembershipEntry | null): void {
    this.feed.membership(entry);
  }

  /** A frame of this room from the server. */
  receive(frame: IncomingFrame): void {
    this.feed.receive(frame);
  }

  /** The tab's connection changed state. */
  linkChanged(state: ConnectionState): void {
    this.feed.linkChanged(state);
  }

  /**
   * The room is no longer joined on the link (the socket went, or the server said `not_joined`):
   * what was in flight is answered after the next `joined` or not at all.
   */
  detached(ended = false): void {
    this.feed.detached(ended);
  }

  // ---- commands -----------------------------------------------------------------------------

  /** `ready.admin`: we moderate every room. */
  setAdmin(admin: boolean): void {
    this.access.setAdmin(admin);
  }

  /** Pages back until the chat at `seq` is held or nothing older is left; resolves whether it is held. */
  reveal(seq: number): Promise<boolean> {
    const revealed = this.reveals.reveal(seq);
    this.changed();
    return revealed;
  }

  /** Shows the chat at `seq` (a link to a message, a search result): from the log, or loaded around it. */
  openAt(seq: number): void {
    this.history.openAt(seq);
    this.changed();
  }

  /** The reader reached the bottom of a link's window: the next page below it. */
  loadNewer(): void {
    if (this.history.loadNewer()) this.changed();
  }

  /** Leaves a link's window for the live end. */
  jumpToPresent(): void {
    this.history.jumpToPresent();
    this.changed();
  }

  /** The rows the page shows: the whole log, or a link's window up to its top while it is apart from the live end. */
  get items(): LogItem[] {
    const top = this.history.window.top;
    return top === undefined ? this.log.items() : this.log.itemsThrough(top);
  }

  /** Call on every keystroke; the typing part throttles what goes out. */
  noteTyping(): void {
    this.typing.note();
  }

  stopTyping(): void {
    this.typing.stop();
  }

  loadOlder(): void {
    if (this.history.loadOlder()) this.changed();
  }

  clear(): void {
    this.history.clear();
    this.changed();
    this.persistNow();
  }

  /** Everything held has been on screen: the marker moves to the newest seq held. */
  markRead(): void {
    // In a link's window the reader has seen its rows, not the live end.
    if (this.readMarker.mark(Math.min(this.log.newestSeq, this.history.window.top ?? Number.POSITIVE_INFINITY))) this.changed();
  }

  persistSoon(): void {
    this.persistence.soon();
  }

  persistNow(): void {
    this.persistence.now();
  }

  /** Stops every timer; what the room holds stays saved. */
  dispose(): void {
    this.persistence.now();
    this.stop();
  }

  /** The user left the room: every timer stops and nothing of it stays in storage. */
  forget(): void {
    this.stop();
    this.options.storage.removeRoom(this.room);
  }

  private stop(): void {
    this.reveals.dispose();
    this.persistence.dispose();
    this.outbox.dispose();
    this.typing.dispose();
    this.history.dispose();
    this.readMarker.dispose();
  }

  private changed(): void {
    // A reveal waiting for its chat may be answered, or need the next page, after any change.
    this.reveals.advance();
    this.options.onChange();
  }
}
