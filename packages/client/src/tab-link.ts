import {
  type ClientFrame,
  DEFAULT_LIMITS,
  type ErrorFrame,
  jwtSchema,
  normalizeName,
  PROTOCOL_VERSION,
  type ReadyFrame,
  type ReadyLimits,
  SESSION_PATTERN,
} from "@chatroom/protocol";
import type { TokenKeeper } from "./auth/token-keeper";
import { type ChatClientOptions, CLIENT_DEFAULTS } from "./options";
import type { CredentialStore } from "./persistence/credentials";
import type { Alerts } from "./room/alerts";
import { type IncomingFrame, routeFrame } from "./room/frame-router";
import type { Identity } from "./room/identity";
import { Connection } from "./transport/connection";
import type { ConnectionState } from "./transport/connection-machine";

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

const LIMITS_BEFORE_READY: ReadyLimits = {
  maxTextLength: DEFAULT_LIMITS.maxTextLength,
  maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
  ratePerSecond: DEFAULT_LIMITS.ratePerSecond,
  burst: DEFAULT_LIMITS.burst,
  maxRooms: DEFAULT_LIMITS.maxRooms,
  roomMentionMembersMax: DEFAULT_LIMITS.roomMentionMembersMax,
};

export interface TabLinkOptions {
  client: ChatClientOptions;
  identity: Identity;
  credentials: CredentialStore;
  alerts: Alerts;
  /** Hands over a frame that is not the link's own (a request's answer, a room's frame); false: not taken. */
  deliver: (frame: IncomingFrame) => boolean;
  /** The socket's state changed; runs after the link has sent `hello` or forgotten the socket's handshake. */
  onLinkChange: (state: ConnectionState) => void;
  /** `ready` arrived and the link has taken its limits, identity and admin flag. */
  onReady: (frame: ReadyFrame) => void;
  /** Something the snapshot shows changed (an alert, the name). */
  changed: () => void;
}

/**
 * The tab's one socket and its handshake: `hello` (with the host app's token when there is one),
 * `ready`, the connection's own errors and renames. Room frames and requests' answers pass
 * through to the rest of the tab (`deliver`); nothing that needs the handshake goes out before
 * `ready` (`sendReady`).
 */
export class TabLink {
  readonly connection: Connection;
  /**
   * The host app's token, when the client signs in with one (`getToken`). Every use goes through
   * this one promise, so calls run in the order they were made, even before the module is loaded.
   */
  private readonly tokens: Promise<TokenKeeper> | null;
  /** Grows with every change of the link, so a token fetched for an older socket is not sent on a newer one. */
  private generation = 0;
  /** The current socket's `ready` arrived: room frames may go out. */
  private readyOnLink = false;
  /** A rename the server has not applied was repeated on this socket already. */
  private renameRepeated = false;
  private currentLimits: ReadyLimits = LIMITS_BEFORE_READY;
  /** `ready.admin`: this connection holds the server admin's key. */
  private adminOnLink = false;

  constructor(private readonly options: TabLinkOptions) {
    const { client } = options;
    const { getToken } = client;
    // Only a page signed in by a host app needs the keeper: it is loaded then, not in every bundle.
    this.tokens = getToken
      ? import("./auth/token-keeper").then(
          ({ TokenKeeper }) =>
            new TokenKeeper({
              getToken,
              timers: client.timers,
              send: (frame) => this.sendReady(frame),
              refreshShare: CLIENT_DEFAULTS.tokenRefreshShare,
              refreshMinDelayMs: CLIENT_DEFAULTS.tokenRefreshMinDelayMs,
              onError: () => {
                options.alerts.raise("token_invalid", "The sign-in token could not be fetched.");
                options.changed();
              },
            }),
        )
      : null;
    this.connection = new Connection({
      canRenewToken: getToken !== undefined,
      url: client.endpoint,
      createSocket: client.createSocket,
      timers: client.timers,
      ...(client.wakeups ? { wakeups: client.wakeups } : {}),
      ...(client.linkLost ? { linkLost: client.linkLost } : {}),
      ...(client.probeTimeoutMs ? { probeTimeoutMs: client.probeTimeoutMs } : {}),
      ...(client.backoff ? { backoff: client.backoff } : {}),
      ...(client.pingIntervalMs ? { pingIntervalMs: client.pingIntervalMs } : {}),
      ...(client.pongTimeoutMs ? { pongTimeoutMs: client.pongTimeoutMs } : {}),
      onFrame: (frame) => this.receive(frame),
    });
    this.connection.subscribe(() => this.onConnectionChange());
  }

  get ready(): boolean {
    return this.readyOnLink;
  }

  /** The server's limits from `ready` (the defaults until the first one). */
  get limits(): ReadyLimits {
    return this.currentLimits;
  }

  get admin(): boolean {
    return this.adminOnLink;
  }

  /** Sends `frame` when the current socket's handshake is done; false (nothing sent) before `ready`. */
  sendReady(frame: ClientFrame): boolean {
    return this.readyOnLink && this.connection.send(frame);
  }

  sendRename(): void {
    const name = this.options.identity.pendingRename;
    if (name !== undefined) this.sendReady({ type: "rename", name });
  }

  /**
   * A rename asked for while offline: the session's old name wins on reconnect unless we repeat
   * it. It goes once a room is joined, so a room answers with its `renamed` entry (or `name_taken`).
   */
  repeatRename(): void {
    if (this.renameRepeated || !this.options.identity.renameStillWanted()) return;
    this.renameRepeated = true;
    this.sendRename();
  }

  private onConnectionChange(): void {
    const state = this.connection.getState();
    this.generation++;
    if (state.status === "open") {
      this.sendHello();
    } else {
      this.readyOnLink = false;
      this.renameRepeated = false;
      const renew = state.status === "reconnecting" && state.renewToken === true;
      void this.tokens?.then((tokens) => {
        tokens.linkLost();
        // 4401: the token was refused or ran out; the next attempt fetches a new one.
        if (renew) tokens.invalidate();
      });
    }
    this.options.onLinkChange(state);
    if (state.status === "closed" && state.reason === "replaced") this.options.identity.sessionReplaced();
    this.options.changed();
  }

  /** `hello` at once, or once the host app's token is in hand (on this same socket only). */
  private sendHello(): void {
    const { identity, credentials, alerts } = this.options;
    const hello = helloFrame(identity.sessionToken, identity.name, credentials.adminKey());
    if (!this.tokens) {
      this.connection.send(hello);
      return;
    }
    const link = this.generation;
    void this.tokens.then(async (tokens) => {
      const token = await tokens.current();
      if (link !== this.generation || token === undefined) return;
      // A malformed token would make the hello undecodable, which closes for good (4501).
      if (!jwtSchema.safeParse(token).success) {
        tokens.invalidate();
        alerts.raise("token_invalid", "The host app gave a token that is not a JWT.");
        this.options.changed();
        return;
      }
      if (this.connection.send({ ...hello, token } as ClientFrame)) tokens.sent(token);
    });
  }

  private receive(frame: IncomingFrame): void {
    if (this.options.deliver(frame)) return;
    routeFrame(frame, {
      ready: (ready) => this.onReady(ready),
      error: (error) => this.onError(error),
      authed: (authed) => void this.tokens?.then((tokens) => tokens.authed(authed.exp)),
    });
  }

  private onReady(frame: ReadyFrame): void {
    this.readyOnLink = true;
    this.currentLimits = frame.limits;
    this.adminOnLink = frame.admin === true;
    const adjusted = this.options.identity.ready(frame.you, frame.session);
    if (adjusted) this.options.alerts.nameWasAdjusted(adjusted);
    this.options.onReady(frame);
  }

  /** An error about no room: the connection's own (a refused `hello`, an outdated client, a rename). */
  private onError(frame: ErrorFrame): void {
    if (frame.code === "token_invalid" || frame.code === "token_expired") void this.tokens?.then((tokens) => tokens.invalidate());
    const refusedName = frame.code === "name_taken" ? this.options.identity.renameRefused() : undefined;
    this.options.alerts.raise(frame.code, frame.message, refusedName);
    this.options.changed();
  }
}
