import {
  type ChatFrame,
  type ClientFrame,
  DEFAULT_LIMITS,
  DEFAULT_ROOM,
  type ErrorFrame,
  type InviteInfo,
  jwtSchema,
  type NotifyLevel,
  normalizeName,
  PROTOCOL_VERSION,
  type ReadyFrame,
  type ReadyLimits,
  type RoomRole,
  SESSION_PATTERN,
  type ServerFrameOf,
} from "@chatroom/protocol";
import type { TokenKeeper } from "./auth/token-keeper";
import type { RoomNews } from "./notifications/room-news";
import { type ChatClientOptions, CLIENT_DEFAULTS, type ClientTunables, resolveTunables } from "./options";
import type { ModerateRequest } from "./outbox/outbox-entry";
import { CredentialStore } from "./persistence/credentials";
import { memoryStore } from "./persistence/storage";
import { PendingRequests } from "./requests/pending-requests";
import { Alerts } from "./room/alerts";
import { type IncomingFrame, roomOf, routeFrame } from "./room/frame-router";
import { Identity } from "./room/identity";
import { RoomSet } from "./rooms/room-set";
import type { SearchOwner } from "./search/search-owner";
import { type ChatSnapshot, SnapshotStore } from "./snapshot";
import { Connection } from "./transport/connection";

/**
 * The first frame on every socket. A first frame that does not decode closes the connection for
 * good (4501), so a saved token or name the server would refuse (storage is outside our control,
 * a `?name=` may be anything) is left out rather than sent: the server then makes a new user, or
 * a guest name.
 */
function helloFrame(session: string | undefined, name: string | undefined, adminKey: string | undefined): ClientFrame {
  const checkedName = name === undefined ? undefined : normalizeName(name, DEFAULT_LIMITS.maxNameLength);
  return {
    type: "hello",
    protocol: PROTOCOL_VERSION,
    ...(session !== undefined && SESSION_PATTERN.test(session) ? { session } : {}),
    ...(checkedName?.ok ? { name: checkedName.name } : {}),
    // From an admin link's fragment, kept by the credential store (already checked against the pattern).
    ...(adminKey !== undefined ? { adminKey } : {}),
  };
}

type SearchRequest = Extract<ClientFrame, { type: "search" }>;

/** What `invite` asks for: the role it gives, and optionally how long it lasts and how many may use it. */
export interface InviteOptions {
  role: Exclude<RoomRole, "owner">;
  expiresInMs?: number;
  maxUses?: number;
}

const LIMITS_BEFORE_READY: ReadyLimits = {
  maxTextLength: DEFAULT_LIMITS.maxTextLength,
  maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
  ratePerSecond: DEFAULT_LIMITS.ratePerSecond,
  burst: DEFAULT_LIMITS.burst,
  maxRooms: DEFAULT_LIMITS.maxRooms,
  roomMentionMembersMax: DEFAULT_LIMITS.roomMentionMembersMax,
};

/**
 * Everything one tab knows, behind the commands the UI calls. One socket carries every room of
 * the tab: this facade owns it, the tab's identity and alerts, and the `hello`/`ready` handshake;
 * the room set owns the rooms (each merges `joined`, history pages and its live stream by `seq`,
 * so nothing shows twice and no gap stays open). React reads a snapshot through
 * `subscribe`/`getSnapshot`; its room-level fields describe the active room.
 */
export class ChatClient {
  private readonly tunables: ClientTunables;
  private readonly identity: Identity;
  private readonly alerts = new Alerts();
  private readonly connection: Connection;
  private readonly rooms: RoomSet;
  private readonly store: SnapshotStore;
  private readonly credentials: CredentialStore;
  private readonly requests: PendingRequests;
  /**
   * The host app's token, when the client signs in with one (`getToken`). Every use goes through
   * this one promise, so calls run in the order they were made, even before the module is loaded.
   */
  private readonly tokens: Promise<TokenKeeper> | null;
  /** Grows with every change of the link, so a token fetched for an older socket is not sent on a newer one. */
  private linkGeneration = 0;
  /** `ready.admin`: this connection holds the server admin's key. */
  private admin = false;
  /** The current socket's `ready` arrived: room frames may go out. */
  private readyOnLink = false;
  /** A rename the server has not applied was repeated on this socket already. */
  private renameRepeated = false;
  private limits: ReadyLimits = LIMITS_BEFORE_READY;
  /** Search, loaded with the page's search box on first use (`loadSearch`). */
  private searchOwner: SearchOwner | null = null;
  private searchLoading: Promise<SearchOwner> | null = null;
  private newestIncoming: ChatFrame | null = null;
  private readonly newsListeners = new Set<(news: RoomNews) => void>();
  private incoming = 0;

  constructor(private readonly options: ChatClientOptions) {
    this.tunables = resolveTunables(options);
    this.identity = new Identity(options.storage, options.name);
    this.credentials = options.credentials ?? new CredentialStore(memoryStore());
    const { getToken } = options;
    // Only a page signed in by a host app needs the keeper: it is loaded then, not in every bundle.
    this.tokens = getToken
      ? import("./auth/token-keeper").then(
          ({ TokenKeeper }) =>
            new TokenKeeper({
              getToken,
              timers: options.timers,
              send: (frame) => this.sendReady(frame),
              refreshShare: CLIENT_DEFAULTS.tokenRefreshShare,
              refreshMinDelayMs: CLIENT_DEFAULTS.tokenRefreshMinDelayMs,
              onError: () => {
                this.alerts.raise("token_invalid", "The sign-in token could not be fetched.");
                this.changed();
              },
            }),
        )
      : null;
    this.requests = new PendingRequests((frame) =>
      // `create` names a room not joined yet and `search` may name none (or an open room not
      // joined); every other request is about a joined room.
      frame.type === "create" || frame.type === "search"
        ? this.sendReady(frame)
        : "room" in frame && frame.room !== undefined && this.rooms.sendTo(frame.room, frame),
    );
    this.connection = new Connection({
      canRenewToken: getToken !== undefined,
      url: options.endpoint,
      createSocket: options.createSocket,
      timers: options.timers,
      ...(options.wakeups ? { wakeups: options.wakeups } : {}),
      ...(options.linkLost ? { linkLost: options.linkLost } : {}),
      ...(options.probeTimeoutMs ? { probeTimeoutMs: options.probeTimeoutMs } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
      ...(options.pongTimeoutMs ? { pongTimeoutMs: options.pongTimeoutMs } : {}),
      onFrame: (frame) => this.receive(frame),
    });
    this.rooms = new RoomSet({
      storage: options.storage,
      credentials: this.credentials,
      timers: options.timers,
      tunables: this.tunables,
      identity: this.identity,
      alerts: this.alerts,
      limits: () => this.limits,
      initialRoom: options.initialRoom ?? DEFAULT_ROOM,
      send: (frame) => this.sendReady(frame),
      linkReady: () => this.readyOnLink,
      probe: () => this.connection.probe(),
      onJoined: () => this.repeatRename(),
      onIncoming: (room, message) => this.onIncoming(room, message),
      onNews: (news) => {
        for (const listener of this.newsListeners) listener(news);
      },
      onChange: () => this.changed(),
    });
    this.connection.subscribe(() => this.onConnectionChange());
    options.visibility?.subscribe(() => this.changed());
    this.store = new SnapshotStore(() => this.buildSnapshot());
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
    return this.connection.getState().status !== "closed" || this.identity.me !== null;
  }

  /** Whether this tab already has a name to join with (a restored session or an earlier choice). */
  get hasName(): boolean {
    return this.identity.name !== undefined;
  }

  start(): void {
    this.connection.start();
  }

  stop(): void {
    this.connection.stop();
  }

  retryNow(): void {
    this.connection.retryNow();
  }

  /** Joins the chat under `name` (it goes in `hello`), or renames if already in (in every room). */
  setName(name: string): void {
    const step = this.identity.choose(name);
    if (step === "rename") this.sendRename();
    else if (step === "join" && this.connection.getState().status === "closed") this.start();
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
    this.searchLoading ??= import("./search/search-owner").then(({ SearchOwner }) => {
      this.searchOwner = new SearchOwner({
        timers: this.options.timers,
        request: (params) => this.search(params),
        debounceMs: CLIENT_DEFAULTS.searchDebounceMs,
        pageSize: CLIENT_DEFAULTS.searchPage,
        retryAfterMs: CLIENT_DEFAULTS.retryAfterFallbackMs,
      });
      return this.searchOwner;
    });
    return this.searchLoading;
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

  // ---- the socket ---------------------------------------------------------------------------

  private onConnectionChange(): void {
    const state = this.connection.getState();
    this.linkGeneration++;
    if (state.status === "open") {
      this.sendHello();
    } else {
      this.readyOnLink = false;
      this.renameRepeated = false;
      this.requests.linkLost();
      const renew = state.status === "reconnecting" && state.renewToken === true;
      void this.tokens?.then((tokens) => {
        tokens.linkLost();
        // 4401: the token was refused or ran out; the next attempt fetches a new one.
        if (renew) tokens.invalidate();
      });
    }
    this.rooms.linkChanged(state);
    if (state.status === "closed" && state.reason === "replaced") this.identity.sessionReplaced();
    this.changed();
  }

  /** `hello` at once, or once the host app's token is in hand (on this same socket only). */
  private sendHello(): void {
    const hello = helloFrame(this.identity.sessionToken, this.identity.name, this.credentials.adminKey());
    if (!this.tokens) {
      this.connection.send(hello);
      return;
    }
    const link = this.linkGeneration;
    void this.tokens.then(async (tokens) => {
      const token = await tokens.current();
      if (link !== this.linkGeneration || token === undefined) return;
      // A malformed token would make the hello undecodable, which closes for good (4501).
      if (!jwtSchema.safeParse(token).success) {
        tokens.invalidate();
        this.alerts.raise("token_invalid", "The host app gave a token that is not a JWT.");
        this.changed();
        return;
      }
      if (this.connection.send({ ...hello, token } as ClientFrame)) tokens.sent(token);
    });
  }

  private receive(frame: IncomingFrame): void {
    if (this.requests.receive(frame)) return;
    const room = roomOf(frame);
    if (room !== undefined) {
      this.rooms.receive(room, frame);
      return;
    }
    routeFrame(frame, {
      ready: (ready) => this.onReady(ready),
      error: (error) => this.onError(error),
      authed: (authed) => void this.tokens?.then((tokens) => tokens.authed(authed.exp)),
    });
  }

  private onReady(frame: ReadyFrame): void {
    this.readyOnLink = true;
    this.limits = frame.limits;
    this.admin = frame.admin === true;
    const adjusted = this.identity.ready(frame.you, frame.session);
    if (adjusted) this.alerts.nameWasAdjusted(adjusted);
    this.rooms.ready(frame);
    this.searchOwner?.linkReady();
    this.changed();
  }

  /** An error about no room: the connection's own (a refused `hello`, an outdated client, a rename). */
  private onError(frame: ErrorFrame): void {
    if (frame.code === "token_invalid" || frame.code === "token_expired") void this.tokens?.then((tokens) => tokens.invalidate());
    const refusedName = frame.code === "name_taken" ? this.identity.renameRefused() : undefined;
    this.alerts.raise(frame.code, frame.message, refusedName);
    this.changed();
  }

  private sendReady(frame: ClientFrame): boolean {
    return this.readyOnLink && this.connection.send(frame);
  }

  private sendRename(): void {
    const name = this.identity.pendingRename;
    if (name !== undefined) this.sendReady({ type: "rename", name });
  }

  /**
   * A rename asked for while offline: the session's old name wins on reconnect unless we repeat
   * it. It goes once a room is joined, so a room answers with its `renamed` entry (or `name_taken`).
   */
  private repeatRename(): void {
    if (this.renameRepeated || !this.identity.renameStillWanted()) return;
    this.renameRepeated = true;
    this.sendRename();
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

  private buildSnapshot(): ChatSnapshot {
    const { identity, alerts, rooms } = this;
    const session = rooms.active;
    return {
      connection: this.connection.getState(),
      room: session.room,
      me: session.you ?? identity.me,
      members: session.roster.list,
      memberCount: session.roster.memberCount,
      items: session.items,
      outbox: session.outbox.view(),
      typing: session.typing.list,
      historyEdge: session.history.edge,
      loadingOlder: session.history.loadingOlder,
      focus: session.history.window.focus,
      focusEpoch: session.history.window.epoch,
      detached: session.history.window.top !== undefined,
      loadingNewer: session.history.window.loadingNewer,
      limits: this.limits,
      alert: alerts.alert,
      nameAdjusted: alerts.nameAdjusted,
      lastIncoming: this.newestIncoming,
      incomingCount: this.incoming,
      rooms: rooms.summaries(),
      totalUnread: rooms.totalUnread(this.options.visibility?.isVisible() ?? true),
      readMarkerSeq: rooms.readMarkerSeq,
      access: session.access.state,
      staffView: session.desk.view,
      admin: this.admin,
      roomRemoval: alerts.roomRemoval,
    };
  }
}
