import {
  type ChatFrame,
  type ClientFrame,
  clientFrameSchema,
  DEFAULT_LIMITS,
  type JoinedFrame,
  type MembershipEntry,
  type ModerationEvent,
  PROTOCOL_VERSION,
  type ReadyFrame,
  type ServerFrame,
  type User,
} from "@chatroom/protocol";
import type { ConnectionTimers, SocketLike, Wakeups } from "../../src/transport/connection";

/** A clock the test moves by hand; timers fire in due order as it passes them. */
export class FakeClock implements ConnectionTimers {
  private time = 1_700_000_000_000;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  now = (): number => this.time;

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    if (typeof handle === "number") this.pending.delete(handle);
  };

  /** Moves time forward by `ms`, running every timer that comes due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let dueId: number | undefined;
      let dueAt = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.pending) {
        if (timer.at <= end && timer.at < dueAt) {
          dueAt = timer.at;
          dueId = id;
        }
      }
      if (dueId === undefined) break;
      const timer = this.pending.get(dueId);
      this.pending.delete(dueId);
      this.time = dueAt;
      timer?.callback();
    }
    this.time = end;
  }

  get timerCount(): number {
    return this.pending.size;
  }
}

/** A WebSocket the test opens, feeds and closes. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: ClientFrame[] = [];
  closedWith: number | undefined;

  constructor(readonly url: string) {}

  /** The first frame sent on this socket: protocol 2 says it must be `hello`. */
  get hello(): ClientFrame | undefined {
    return this.sent[0];
  }

  /** The `join` sent for `room` (the last one, if it was joined more than once). */
  joinOf(room = "lobby"): Extract<ClientFrame, { type: "join" }> | undefined {
    return this.sentOf("join")
      .filter((frame) => frame.room === room)
      .at(-1);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.sent.push(clientFrameSchema.parse(JSON.parse(data)));
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  // ---- the server's side ----

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(frame: ServerFrame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** Any JSON, e.g. an event of a kind this client does not know. */
  receiveRaw(value: unknown): void {
    this.onmessage?.({ data: JSON.stringify(value) });
  }

  /** The link drops (or the server closes) with `code`. */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }

  sentOf<T extends ClientFrame["type"]>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((frame): frame is Extract<ClientFrame, { type: T }> => frame.type === type);
  }
}

export function socketFactory() {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    create: (url: string) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    get last(): FakeSocket {
      const socket = sockets[sockets.length - 1];
      if (!socket) throw new Error("no socket was opened");
      return socket;
    },
  };
}

export function manualWakeups(): Wakeups & { fire(): void } {
  const callbacks = new Set<() => void>();
  return {
    subscribe(callback) {
      callbacks.add(callback);
      return () => callbacks.delete(callback);
    },
    fire() {
      for (const callback of callbacks) callback();
    },
  };
}

export const alice: User = { id: "u-alice", name: "alice" };
export const bob: User = { id: "u-bob", name: "bob" };
export const carol: User = { id: "u-carol", name: "carol" };

export function chat(seq: number, from: User = bob, text = `message ${seq}`, clientMsgId = `c${seq}`, room = "lobby"): ChatFrame {
  return { type: "chat", room, seq, id: `m${seq}`, from, text, ts: 1_700_000_000_000 + seq * 1000, clientMsgId };
}

export function chats(from: number, to: number, user: User = bob, room = "lobby"): ChatFrame[] {
  const list: ChatFrame[] = [];
  for (let seq = from; seq <= to; seq++) list.push(chat(seq, user, `message ${seq}`, `c${seq}`, room));
  return list;
}

export const SESSION = "session-token-0123456789";

export function ready(options: { you?: User; session?: string; rooms?: MembershipEntry[] } = {}): ReadyFrame {
  return {
    type: "ready",
    protocol: PROTOCOL_VERSION,
    you: options.you ?? alice,
    session: options.session ?? SESSION,
    rooms: options.rooms ?? [],
    limits: {
      maxTextLength: DEFAULT_LIMITS.maxTextLength,
      maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
      ratePerSecond: DEFAULT_LIMITS.ratePerSecond,
      burst: DEFAULT_LIMITS.burst,
      maxRooms: DEFAULT_LIMITS.maxRooms,
      roomMentionMembersMax: DEFAULT_LIMITS.roomMentionMembersMax,
    },
  };
}

export function joined(
  options: {
    room?: string;
    you?: User;
    messages?: ChatFrame[];
    latestSeq?: number;
    complete?: boolean;
    members?: User[];
    readSeq?: number;
    /** The [4/6] fields: role, private, locked, slowModeMs, staff, mutedUntil, key. */
    access?: Partial<Pick<JoinedFrame, "role" | "private" | "locked" | "slowModeMs" | "staff" | "mutedUntil" | "key">>;
    /** Events in a resuming join may be of any kind. */
    events?: JoinedFrame["messages"];
  } = {},
): JoinedFrame {
  const messages = options.messages ?? [];
  const you = options.you ?? alice;
  const members = options.members ?? [you];
  const latestSeq = options.latestSeq ?? messages[messages.length - 1]?.seq ?? 0;
  return {
    type: "joined",
    room: options.room ?? "lobby",
    you,
    members,
    memberCount: members.length,
    messages: options.events ?? messages,
    latestSeq: options.latestSeq ?? options.events?.at(-1)?.seq ?? latestSeq,
    complete: options.complete ?? true,
    readSeq: options.readSeq ?? latestSeq,
    unreadMentions: 0,
    notify: "mentions",
    role: "member",
    private: false,
    locked: false,
    slowModeMs: 0,
    staff: [],
    ...options.access,
  };
}

/** A moderation event as the server stores and fans it out. */
export function moderation<A extends ModerationEvent["action"]>(
  seq: number,
  action: A,
  fields: Omit<Extract<ModerationEvent, { action: A }>, "type" | "room" | "seq" | "ts" | "by" | "clientMsgId" | "action">,
  by: User = carol,
  room = "lobby",
): ModerationEvent {
  return {
    type: "moderation",
    room,
    seq,
    ts: 1_700_000_000_000 + seq * 1000,
    by,
    clientMsgId: `mod${seq}`,
    action,
    ...fields,
  } as unknown as ModerationEvent;
}
