import { DEFAULT_ROOM } from "@chatroom/protocol";
import { type ChatClientOptions, type ClientTunables, resolveTunables } from "./options";
import { UnsentElsewhere } from "./outbox/unsent-elsewhere";
import { Alerts } from "./room/alerts";
import { Identity } from "./room/identity";
import type { RoomLink } from "./room/room-link";
import { type RoomInheritance, RoomSession } from "./room/room-session";
import { type ChatSnapshot, SnapshotStore } from "./snapshot";
import { connectUrl } from "./transport/connect-url";
import { Connection } from "./transport/connection";

/**
 * Everything one tab knows about its room, behind the commands the UI calls. The room session
 * merges the welcome, history pages and the live stream by `seq`, so nothing shows twice and no
 * gap stays open; this facade owns the tab's connection, identity and alerts, switches rooms, and
 * hands React a snapshot through `subscribe`/`getSnapshot`.
 */
export class ChatClient {
  private readonly tunables: ClientTunables;
  private readonly identity: Identity;
  private readonly alerts = new Alerts();
  private readonly elsewhere: UnsentElsewhere;
  private readonly connection: Connection;
  /** The room the tab shows, carried on `connection` through this port. */
  private readonly link: RoomLink;
  private session: RoomSession;
  private readonly store: SnapshotStore;

  constructor(private readonly options: ChatClientOptions) {
    this.tunables = resolveTunables(options);
    this.identity = new Identity(options.storage, options.name);
    this.elsewhere = new UnsentElsewhere({
      endpoint: options.endpoint,
      storage: options.storage,
      createSocket: options.createSocket,
      timers: options.timers,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.wakeups ? { wakeups: options.wakeups } : {}),
      ...(options.linkLost ? { linkLost: options.linkLost } : {}),
      flushDeadlineMs: this.tunables.flushDeadlineMs,
      retryAfterFallbackMs: this.tunables.retryAfterFallbackMs,
      onChange: () => this.changed(),
    });
    this.link = {
      send: (frame) => this.connection.send(frame),
      isOpen: () => this.connection.getState().status === "open",
      probe: () => this.connection.probe(),
    };
    this.session = this.openRoom(options.room ?? DEFAULT_ROOM);
    this.connection = new Connection({
      url: () =>
        connectUrl(options.endpoint, {
          room: this.session.room,
          name: this.identity.name,
          session: this.identity.sessionToken,
          since: this.session.beginAttempt(),
        }),
      createSocket: options.createSocket,
      timers: options.timers,
      ...(options.wakeups ? { wakeups: options.wakeups } : {}),
      ...(options.linkLost ? { linkLost: options.linkLost } : {}),
      ...(options.probeTimeoutMs ? { probeTimeoutMs: options.probeTimeoutMs } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
      ...(options.pongTimeoutMs ? { pongTimeoutMs: options.pongTimeoutMs } : {}),
      onFrame: (frame) => this.session.receive(frame),
    });
    this.connection.subscribe(() => this.onConnectionChange());
    this.store = new SnapshotStore(() => this.buildSnapshot());
  }

  // ---- React's view -------------------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => this.store.subscribe(listener);

  getSnapshot = (): ChatSnapshot => this.store.get();

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

  /** Joins the chat under `name`, or renames if already in. */
  setName(name: string): void {
    const step = this.identity.choose(name);
    if (step === "rename") this.session.sendRename();
    else if (step === "join" && this.connection.getState().status === "closed") this.start();
  }

  switchRoom(room: string): void {
    const leaving = this.session;
    if (room === leaving.room) return;
    leaving.persistNow();
    const since = leaving.resumePoint();
    this.connection.stop();
    leaving.dispose();
    // Back to a room still being flushed: it hands over what is left through storage, read by the new session.
    this.elsewhere.returnTo(room);
    const unsent = leaving.outbox.unsentCount;
    if (unsent > 0) {
      this.elsewhere.leave({ room: leaving.room, since, unsent, session: this.identity.sessionToken, name: this.identity.name });
    }
    this.identity.leftRoom();
    this.session = this.openRoom(room, { limits: leaving.limits, incomingCount: leaving.incomingCount });
    this.changed();
    this.connection.start();
  }

  /** Queues a message: it shows at once as pending and is sent whenever a socket is open. */
  send(rawText: string): boolean {
    return this.session.send(rawText);
  }

  retry(clientMsgId: string): void {
    this.session.retry(clientMsgId);
  }

  discard(clientMsgId: string): void {
    this.session.discard(clientMsgId);
  }

  /** Call on every keystroke; sends `typing` at most once per 2 s and clears it after 5 s of quiet. */
  noteTyping(): void {
    this.session.noteTyping();
  }

  stopTyping(): void {
    this.session.stopTyping();
  }

  /** Asks for the page of messages above the oldest one held (the UI calls it at the top of the log). */
  loadOlder(): void {
    this.session.loadOlder();
  }

  /** Hides everything received so far, like the seed's Clear button. Local only. */
  clear(): void {
    this.session.clear();
  }

  dismissAlert(): void {
    this.alerts.dismiss();
    this.changed();
  }

  /** Writes the log and outbox now, e.g. on `pagehide`. */
  flushStorage(): void {
    this.session.persistNow();
  }

  // ---- wiring -------------------------------------------------------------------------------

  private openRoom(room: string, inherited?: RoomInheritance): RoomSession {
    const { options } = this;
    return new RoomSession({
      room,
      link: this.link,
      identity: this.identity,
      alerts: this.alerts,
      storage: options.storage,
      timers: options.timers,
      tunables: this.tunables,
      ...(inherited ? { inherited } : {}),
      onChange: () => this.changed(),
    });
  }

  private onConnectionChange(): void {
    const state = this.connection.getState();
    this.session.linkChanged(state);
    if (state.status === "closed" && state.reason === "replaced") this.identity.sessionReplaced();
    this.changed();
  }

  private changed(): void {
    this.store.publish();
    this.session.persistSoon();
  }

  private buildSnapshot(): ChatSnapshot {
    const { session, identity, alerts } = this;
    return {
      connection: this.connection.getState(),
      room: session.room,
      me: identity.me,
      members: session.roster.list,
      memberCount: session.roster.memberCount,
      items: session.log.items(),
      outbox: session.outbox.view(),
      typing: session.typing.list,
      historyEdge: session.history.edge,
      loadingOlder: session.history.loadingOlder,
      limits: session.limits,
      alert: alerts.alert,
      nameAdjusted: alerts.nameAdjusted,
      lastIncoming: session.lastIncoming,
      incomingCount: session.incomingCount,
      unsentElsewhere: this.elsewhere.list,
    };
  }
}
