import {
  CLOSE_CODES,
  type ClientFrame,
  type ClientFrameOf,
  type ConnectQuery,
  type ErrorCode,
  encode,
  errorCodeFor,
  PROTOCOL_VERSION,
  type WelcomeFrame,
} from "@chatroom/protocol";
import type { ChatHub } from "./hub";
import { Participant } from "./participant";
import type { Peer } from "./peer";
import type { Room } from "./room";
import type { TokenBucket } from "./token-bucket";

type State =
  | { kind: "joining"; inbox: string[] }
  | { kind: "welcoming"; room: Room; participant: Participant; inbox: string[] }
  | { kind: "live"; room: Room; participant: Participant }
  | { kind: "closed" };

/** Frames a client may send before its welcome; more than that is a flood. */
const MAX_EARLY_FRAMES = 100;

/**
 * One client connection, from query to close: joins the room, decodes every frame, enforces
 * the per-connection limits and answers. A client's mistake gets an error frame; nothing a
 * client sends can throw out of here.
 */
export class ChatConnection {
  private state: State = { kind: "joining", inbox: [] };

  constructor(
    private readonly hub: ChatHub,
    private readonly peer: Peer,
  ) {}

  /** Called for every text frame, in arrival order. Frames before the welcome wait for it. */
  receive(text: string): void {
    const state = this.state;
    if (state.kind === "live") this.dispatch(state.room, state.participant, text);
    else if (state.kind !== "closed") {
      if (state.inbox.length >= MAX_EARLY_FRAMES) this.close(CLOSE_CODES.rateLimitAbuse.code, "too many frames before the welcome");
      else state.inbox.push(text);
    }
  }

  /** Binary frames are not part of the protocol. */
  receiveBinary(): void {
    this.close(CLOSE_CODES.binaryFrame.code, CLOSE_CODES.binaryFrame.reason);
  }

  /** The transport reports that the socket is gone. */
  closed(): void {
    const state = this.state;
    this.state = { kind: "closed" };
    this.hub.forget(this);
    if (state.kind === "live" || state.kind === "welcoming") {
      state.participant.closed = true;
      state.room.release(state.participant);
    }
  }

  close(code: number, reason: string): void {
    const state = this.state;
    if (state.kind === "live" || state.kind === "welcoming") state.participant.close(code, reason);
    else if (state.kind === "joining") this.peer.close(code, reason);
  }

  /** Sends an error frame and closes, for failures before or outside the room. */
  fail(code: ErrorCode, message: string, closeCode: number): void {
    this.peer.send(this.hub.errorFrame(code, message));
    this.peer.close(closeCode, message.slice(0, 100));
  }

  async join(query: ConnectQuery): Promise<void> {
    const { hub } = this;
    let room: Room | undefined;
    try {
      const identity = await this.resolveIdentity(query);
      if (this.state.kind !== "joining") return;
      room = await hub.activate(query.room);
      // A reserved room is not retired while this join waits on the store, however long that takes.
      room.reserve();
      const name = await room.claimName(identity.name, identity.userId);
      if (this.state.kind !== "joining") return;
      const participant = new Participant(
        this.peer,
        { id: identity.userId, name },
        identity.token,
        room.name,
        hub.limits,
        hub.timers.now(),
      );
      const inbox = this.state.inbox;
      // `admit` settles a clash with a concurrent joiner synchronously, so the name may change here.
      const replaced = room.admit(participant);
      // Read in the same tick as `admit`: everything up to here goes in the welcome, everything
      // fanned out from now on (chats and membership changes) is held and follows the welcome.
      const upTo = room.deliveredSeq;
      const members = room.memberList(hub.limits.welcomeMembersMax);
      const memberCount = room.memberCount;
      this.state = { kind: "welcoming", room, participant, inbox };
      replaced?.close(CLOSE_CODES.replaced.code, CLOSE_CODES.replaced.reason);
      const { user } = participant;
      if (identity.isNew || user.name !== identity.name) {
        await hub.backend.saveSession(identity.token, { userId: user.id, name: user.name });
      }
      const since = query.since;
      const history = await hub.backend.range(room.name, {
        after: since ?? 0,
        upTo,
        limit: since === undefined ? hub.limits.welcomeLatest : hub.limits.welcomeSinceMax,
      });
      if (this.state.kind !== "welcoming") return;
      const welcome: WelcomeFrame = {
        type: "welcome",
        protocol: PROTOCOL_VERSION,
        room: room.name,
        you: { id: user.id, name: user.name },
        session: identity.token,
        members,
        memberCount,
        messages: history.messages,
        latestSeq: upTo,
        complete: history.complete,
        limits: {
          maxTextLength: hub.limits.maxTextLength,
          maxFrameBytes: hub.limits.maxFrameBytes,
          ratePerSecond: hub.limits.ratePerSecond,
          burst: hub.limits.burst,
        },
      };
      participant.goLive(encode(welcome));
      this.state = { kind: "live", room, participant };
      // Frames the client sent before its welcome are answered after it, in the order sent.
      for (const text of inbox) this.receive(text);
    } catch (error) {
      hub.logger.error({ err: error }, "join failed");
      if (this.state.kind === "closed") return;
      this.fail("server_error", "could not join the room, retry later", CLOSE_CODES.internalError.code);
    } finally {
      room?.unreserve();
    }
  }

  private async resolveIdentity(query: ConnectQuery): Promise<{ token: string; userId: string; name: string; isNew: boolean }> {
    const { hub } = this;
    if (query.session) {
      const record = await hub.backend.getSession(query.session);
      if (record) return { token: query.session, userId: record.userId, name: record.name, isNew: false };
    }
    return { token: hub.newSessionToken(), userId: hub.newUserId(), name: query.name ?? hub.guestName(), isNew: true };
  }

  private dispatch(room: Room, participant: Participant, text: string): void {
    const decoded = this.hub.codec.decode(text);
    if (!decoded.ok) {
      const { error } = decoded;
      this.hub.metrics.badFrame(error.reason);
      const extra = error.clientMsgId === undefined ? {} : { clientMsgId: error.clientMsgId };
      participant.write(this.hub.errorFrame(errorCodeFor(error), error.message, extra));
      if (participant.badFrames.hit(this.hub.timers.now())) {
        participant.close(CLOSE_CODES.badRequest.code, "too many bad frames");
      }
      return;
    }
    this.hub.metrics.frameIn(decoded.frame.type);
    this.handle(room, participant, decoded.frame).catch((error: unknown) => {
      this.hub.logger.error({ err: error, type: decoded.frame.type }, "frame handler failed");
      participant.write(this.hub.errorFrame("server_error", "the server could not handle that frame"));
    });
  }

  private async handle(room: Room, participant: Participant, frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case "chat":
        return this.handleChat(room, participant, frame);
      case "typing":
        return this.handleTyping(room, participant, frame);
      case "rename":
        return this.handleRename(room, participant, frame);
      case "history":
        return this.handleHistory(room, participant, frame);
      case "ping":
        participant.write(encode(frame.t === undefined ? { type: "pong" } : { type: "pong", t: frame.t }));
        return;
    }
  }

  private async handleChat(room: Room, participant: Participant, frame: ClientFrameOf<"chat">): Promise<void> {
    const { hub } = this;
    if (this.refuseIfLimited(participant, participant.chatBucket, frame.clientMsgId)) return;
    let result: Awaited<ReturnType<typeof hub.backend.append>>;
    const writeStarted = performance.now();
    try {
      result = await hub.backend.append({
        room: room.name,
        from: { id: participant.user.id, name: participant.user.name },
        text: frame.text,
        clientMsgId: frame.clientMsgId,
      });
    } catch (error) {
      hub.metrics.storeWrite((performance.now() - writeStarted) / 1000, false);
      // No ack: the client keeps the message in its outbox and sends it again.
      hub.logger.error({ err: error, room: room.name }, "store write failed");
      participant.write(hub.errorFrame("server_error", "the message was not stored; retry", { clientMsgId: frame.clientMsgId }));
      return;
    }
    const committed = performance.now();
    hub.metrics.storeWrite((committed - writeStarted) / 1000, true);
    const { message, duplicate } = result;
    participant.write(encode({ type: "ack", clientMsgId: message.clientMsgId, seq: message.seq, ts: message.ts }));
    if (duplicate) return;
    room.setTyping(participant, false);
    room.deliver(message);
    hub.metrics.fanOut((performance.now() - committed) / 1000);
    hub.backend.publish(room.name, { kind: "chat", origin: hub.backend.nodeId, message }).catch((error: unknown) => {
      hub.logger.warn({ err: error, room: room.name }, "publish failed; other nodes fill the gap from the store");
    });
  }

  private async handleTyping(room: Room, participant: Participant, frame: ClientFrameOf<"typing">): Promise<void> {
    room.requestTyping(participant, frame.active);
  }

  private async handleRename(room: Room, participant: Participant, frame: ClientFrameOf<"rename">): Promise<void> {
    // Every rename is a store write and a room-wide frame: it spends the same budget as a chat.
    if (this.refuseIfLimited(participant, participant.chatBucket)) return;
    const outcome = await room.rename(participant, frame.name);
    if (outcome === "taken") {
      participant.write(this.hub.errorFrame("name_taken", `"${frame.name}" is already taken in this room`));
      return;
    }
    if (outcome === "renamed") {
      await this.hub.backend.saveSession(participant.session, { userId: participant.user.id, name: frame.name });
    }
  }

  private async handleHistory(room: Room, participant: Participant, frame: ClientFrameOf<"history">): Promise<void> {
    if (this.refuseIfLimited(participant, participant.historyBucket)) return;
    // Never past what this connection has been sent, so history and the live stream never overlap.
    const before = Math.min(frame.before, room.deliveredSeq + 1);
    const page = await this.hub.backend.before(room.name, before, frame.limit);
    participant.write(encode({ type: "history", room: room.name, messages: page.messages, hasOlder: page.hasOlder }));
  }

  /** Answers `rate_limited` when the bucket is empty; returns whether the frame was refused. */
  private refuseIfLimited(participant: Participant, bucket: TokenBucket, clientMsgId?: string): boolean {
    const now = this.hub.timers.now();
    const retryAfterMs = bucket.take(now);
    if (retryAfterMs === 0) return false;
    this.hub.metrics.rateLimited();
    participant.write(
      this.hub.errorFrame("rate_limited", "slow down", clientMsgId === undefined ? { retryAfterMs } : { clientMsgId, retryAfterMs }),
    );
    if (participant.floods.hit(now)) participant.close(CLOSE_CODES.rateLimitAbuse.code, CLOSE_CODES.rateLimitAbuse.reason);
    return true;
  }
}
