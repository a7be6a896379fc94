import {
  type ChatFrame,
  type ClientFrame,
  DEFAULT_ROOM,
  type InviteInfo,
  type NotifyLevel,
  type RoomRole,
  type ServerFrameOf,
} from "@chatroom/protocol";
import type { RoomNews } from "./notifications/room-news";
import { type ChatClientOptions, type ClientTunables, resolveTunables } from "./options";
import type { ModerateRequest } from "./outbox/outbox-entry";
import { CredentialStore } from "./persistence/credentials";
import { memoryStore } from "./persistence/storage";
import { PendingRequests } from "./requests/pending-requests";
import { Alerts } from "./room/alerts";
import { type IncomingFrame, roomOf } from "./room/frame-router";
import { Identity } from "./room/identity";
import { RoomSet } from "./rooms/room-set";
import { SearchLoader } from "./search/search-loader";
import type { SearchOwner } from "./search/search-owner";
import { type ChatSnapshot, SnapshotStore } from "./snapshot";
import { buildSnapshot } from "./snapshot-builder";
import { TabLink } from "./tab-link";

type SearchRequest = Extract<ClientFrame, { type: "search" }>;

/** What `invite` asks for: the role it gives, and optionally how long it lasts and how many may use it. */
export interface InviteOptions {
  role: Exclude<RoomRole, "owner">;
  expiresInMs?: number;
  maxUses?: number;
}

/**
 * Everything one tab knows, behind the commands the UI calls. One socket carries every room of
 * the tab. This facade owns the tab's identity, alerts and requests, and wires the parts: the
 * link (`tab-link.ts`) owns the socket and the `hello`/`ready` handshake; the room set owns the
 * rooms (each merges `joined`, history pages and its live stream by `seq`, so nothing shows
 * twice and no gap stays open). React reads a snapshot through
 * `subscribe`/`getSnapshot`; its room-level fields describe the active room.
 */
export class ChatClient {
  private readonly tunables: ClientTunables;
  private readonly identity: Identity;
  private readonly alerts = new Alerts();
  /** The socket and its handshake. */
  private readonly link: TabLink;
  private readonly rooms: RoomSet;
  private readonly store: SnapshotStore;
  private readonly credentials: CredentialStore;
  private readonly requests: PendingRequests;
  /** Search, loaded with the page's search box on first use (`loadSearch`). */
  private readonly searchLoader: SearchLoader;
  private newestIncoming: ChatFrame | null = null;
  private readonly newsListeners = new Set<(news: RoomNews) => void>();
  private incoming = 0;

  constructor(options: ChatClientOptions) {
    this.tunables = resolveTunables(options);
    this.identity = new Identity(options.storage, options.name);
    this.credentials = options.credentials ?? new CredentialStore(memoryStore());
    this.link = new TabLink({
      client: options,
      identity: this.identity,
      credentials: this.credentials,
      alerts: this.alerts,
      deliver: (frame) => this.deliver(frame),
      onLinkChange: (state) => {
        if (state.status !== "open") this.requests.linkLost();
        this.rooms.linkChanged(state);
      },
      onReady: (ready) => {
        this.rooms.ready(ready);
        this.searchLoader.linkReady();
        this.changed();
      },
      changed: () => this.changed(),
    });
    this.requests = new PendingRequests((frame) =>
      // `create` names a room not joined yet and `search` may name none (or an open room not
      // joined); every other request is about a joined room.
      frame.type === "create" || frame.type === "search"
        ? this.link.sendReady(frame)
        : "room" in frame && frame.room !== undefined && this.rooms.sendTo(frame.room, frame),
    );
    this.rooms = new RoomSet({
      storage: options.storage,
      credentials: this.credentials,
      timers: options.timers,
      tunables: this.tunables,
      identity: this.identity,
      alerts: this.alerts,
      limits: () => this.link.limits,
      initialRoom: options.initialRoom ?? DEFAULT_ROOM,
      send: (frame) => this.link.sendReady(frame),
      linkReady: () => this.link.ready,
      probe: () => this.link.connection.probe(),
      onJoined: () => this.link.repeatRename(),
      onIncoming: (room, message) => this.onIncoming(room, message),
      onNews: (news) => {
        for (const listener of this.newsListeners) listener(news);
      },
      onChange: () => this.changed(),
    });
    this.searchLoader = new SearchLoader({ timers: options.timers, request: (params) => this.search(params) });
    options.visibility?.subscribe(() => this.changed());
    this.store = new SnapshotStore(() =>
      buildSnapshot({
        link: this.link,
        identity: this.identity,
        alerts: this.alerts,
        rooms: this.rooms,
        visible: options.visibility?.isVisible() ?? true,
        lastIncoming: this.newestIncoming,
        incomingCount: this.incoming,
      }),
    );
  }

  // ---- React's view -------------------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => this.store.subscribe(listener);

  getSnapshot = (): ChatSnapshot => this.store.get();

  /** Live chats and edits in every room of the tab, as they arrive (for a notifier: see `notificationDue`). */
  subscribeNews(listener: (news: RoomNews) => void): () => void {
    this.newsListeners.add(listener);
    return () => this.newsListeners.delete(listener);
  }

  // ---- commands -----------------------------------------------------------------------------

  get started(): boolean {
    return this.link.connection.getState().status !== "closed" || this.identity.me !== null;
  }

  /** Whether this tab already has a name to join with (a restored session or an earlier choice). */
  get hasName(): boolean {
    return this.identity.name !== undefined;
  }

  start(): void {
    this.link.connection.start();
  }

  stop(): void {
    this.link.connection.stop();
  }

  retryNow(): void {
    this.link.connection.retryNow();
  }

  /** Joins the chat under `name` (it goes in `hello`), or renames if already in (in every room). */
  setName(name: string): void {
    const step = this.identity.choose(name);
    if (step === "rename") this.link.sendRename();
    else if (step === "join" && this.link.connection.getState().status === "closed") this.start();
  }

  /** Makes `room` the active room: instant when the tab holds it, else it is joined (a new membership). */
  openRoom(room: string): void {
    this.rooms.open(room);
  }

  /** Leaves `room` (after its unsent messages are delivered) and forgets it; the next room becomes active. */
  leaveRoom(room: string): void {
    this.rooms.leave(room);
  }

  /**
   * Sets how much of `room` notifies the user (stored with the membership). The level changes
   * when the server's `notify` comes back, in every tab; false when the room is not joined now.
   */
  setNotifyLevel(room: string, level: NotifyLevel): boolean {
    return this.rooms.sendTo(room, { type: "notify", room, level });
  }

  /** The active room's newest message has been on screen: its read marker moves there (sent coalesced). */
  markRead(): void {
    this.rooms.markRead();
  }

  /**
   * Queues a message in the active room: it shows at once as pending and is sent once the room is
   * joined. With `replyTo`, it answers the chat at that seq (the server quotes it).
   */
  send(rawText: string, options: { replyTo?: number } = {}): boolean {
    return this.rooms.active.composer.send(rawText, options);
  }

  /** Queues an edit of our chat at `seq` in the active room; false when the text is empty or too long. */
  edit(seq: number, rawText: string): boolean {
    return this.rooms.active.composer.edit(seq, rawText);
  }

  /** Queues the deletion of our chat at `seq` in the active room. */
  remove(seq: number): boolean {
    return this.rooms.active.composer.remove(seq);
  }

  /** Sets (`on`) or clears our `emoji` on the chat at `seq` in the active room; false when `emoji` is not one emoji. */
  react(seq: number, emoji: string, on: boolean): boolean {
    return this.rooms.active.composer.react(seq, emoji, on);
  }

  /**
   * Loads the active room's history back until the chat at `seq` is held (for a reply's quote),
   * or nothing older is left; resolves whether it is held.
   */
  reveal(seq: number): Promise<boolean> {
    return this.rooms.active.reveal(seq);
  }

  /**
   * Creates `room` (open, or private: members only) with us as its owner, and keeps the owner's
   * pass in the browser: `openRoom` then joins with it. Resolves with the pass: the owner link is
   * `ownerLinkPath(room, key)`. Rejects with a `RequestError` (`room_exists`, `offline`, …).
   */
  async createRoom(room: string, isPrivate: boolean): Promise<{ room: string; key: string }> {
    const created = await this.requests.request({ type: "create", room, private: isPrivate });
    this.credentials.setPass(room, created.key);
    // Not opened here: the caller opens it (`openRoom`) the way it opens any room, so a page
    // can give it its own history entry.
    return { room, key: created.key };
  }

  /** Queues a moderation action in the active room (staff): acked, and resent after a drop, like an edit. */
  moderate(request: ModerateRequest): boolean {
    return this.rooms.active.composer.moderate(request);
  }

  /** Makes an invite to the active room; resolves with it and its code (shown once: the link is `inviteLinkPath`). */
  async invite(options: InviteOptions): Promise<{ invite: InviteInfo; code: string }> {
    const answer = await this.requests.request({ type: "invite", room: this.rooms.active.room, ...options });
    return { invite: answer.invite, code: answer.code };
  }

  async revokeInvite(invite: string): Promise<void> {
    await this.requests.request({ type: "revoke-invite", room: this.rooms.active.room, invite });
  }

  /**
   * Searches every room the user may read, or one (`room`, or `in:` in the query). Resolves with
   * the `search-results` page; rejects with a `RequestError` (`bad_query`, `rate_limited`, …).
   */
  search(params: Omit<SearchRequest, "type" | "clientMsgId">): Promise<ServerFrameOf<"search-results">> {
    return this.requests.request({ type: "search", ...params });
  }

  /** Reports the chat at `target` in the active room to its staff. */
  async report(target: number, reason: string): Promise<void> {
    await this.requests.request({ type: "report", room: this.rooms.active.room, target, reason });
  }

  async resolveReport(report: string): Promise<void> {
    await this.requests.request({ type: "resolve-report", room: this.rooms.active.room, report });
  }

  /** The page shows the active room's staff view: it is asked for now, and kept current. */
  openStaffView(): void {
    this.rooms.active.desk.open();
  }

  retry(clientMsgId: string): void {
    this.rooms.active.composer.retry(clientMsgId);
  }

  discard(clientMsgId: string): void {
    this.rooms.active.composer.discard(clientMsgId);
  }

  /** Call on every keystroke; sends `typing` at most once per 2 s and clears it after 5 s of quiet. */
  noteTyping(): void {
    this.rooms.active.noteTyping();
  }

  stopTyping(): void {
    this.rooms.active.stopTyping();
  }

  /** Asks for the page of messages above the oldest one held (the UI calls it at the top of the log). */
  loadOlder(): void {
    this.rooms.active.loadOlder();
  }

  /**
   * Opens the chat at `seq` of `room` (a link to a message, a search result): the room becomes the
   * active one, loaded around that chat when the tab does not hold it, apart from the live end
   * until the reader scrolls down to it (`loadNewer`) or jumps there (`jumpToPresent`).
   */
  openMessage(room: string, seq: number): void {
    this.rooms.open(room);
    this.rooms.active.openAt(seq);
  }

  /** The reader reached the bottom of a link's window in the active room: the next page below it. */
  loadNewer(): void {
    this.rooms.active.loadNewer();
  }

  /** Leaves the active room's link window for the live end. */
  jumpToPresent(): void {
    this.rooms.active.jumpToPresent();
  }

  /**
   * The search box's owner (search as you type, results by page), on this client's socket. Loaded
   * on first use, so a page that never searches does not carry it.
   */
  loadSearch(): Promise<SearchOwner> {
    return this.searchLoader.load();
  }

  /** Hides everything received so far in the active room, like the seed's Clear button. Local only. */
  clear(): void {
    this.rooms.active.clear();
  }

  dismissAlert(): void {
    this.alerts.dismiss();
    this.changed();
  }

  /** Writes every room's log and outbox, and the room list, now (e.g. on `pagehide`). */
  flushStorage(): void {
    this.rooms.persistAll();
  }

  // ---- what reaches the rooms ---------------------------------------------------------------

  /** A frame that is not the link's own: a request's answer, or a frame about one room. */
  private deliver(frame: IncomingFrame): boolean {
    if (this.requests.receive(frame)) return true;
    const room = roomOf(frame);
    if (room === undefined) return false;
    this.rooms.receive(room, frame);
    return true;
  }

  private onIncoming(room: string, message: ChatFrame): void {
    // Announcements follow the room on screen; the other rooms show in their unread counts.
    if (room !== this.rooms.active.room) return;
    this.newestIncoming = message;
    this.incoming++;
  }

  private changed(): void {
    this.store.publish();
  }
}
