import type { ClientFrame, ServerFrame, User } from "@chatroom/protocol";
import { type FakeSocket, joined, ready } from "./fakes";
import type { SimRequest, SimRoom } from "./sim-room";

export interface SimConnectionOptions {
  /** How many chats a fresh join carries. */
  welcome: number;
  /** How many events a resuming join carries at most. */
  resumeMax: number;
  /** The most a history page holds, whatever the client asked for (the server may send less). */
  pageCap: number;
}

type HistoryRequest = Extract<ClientFrame, { type: "history" }>;

/**
 * The server's side of one socket over a `SimRoom`, with every delay in the test's hands: what the
 * server answers at once (`ready`, `joined`, storing a change) happens as the client's frames are
 * read; live events, history answers and acks go out one at a time when the test says so, so any
 * interleaving of them can be played. A page is read when it is answered, from the room as it
 * stands then; an `after` page holds nothing this socket was not sent live yet.
 */
export class SimConnection {
  /** The highest seq this socket was sent: its `joined`'s latestSeq, then each live event. */
  private delivered = 0;
  private joinedRoom = false;
  private read = 0;
  private readonly history: HistoryRequest[] = [];
  private readonly replies: ServerFrame[] = [];

  constructor(
    readonly socket: FakeSocket,
    private readonly room: SimRoom,
    private readonly me: User,
    private readonly options: SimConnectionOptions,
  ) {}

  get idle(): boolean {
    return (!this.joinedRoom || this.delivered >= this.room.head) && this.history.length === 0 && this.replies.length === 0;
  }

  /** Reads what the client sent since last time and answers what the server answers at once. */
  serve(): void {
    while (this.read < this.socket.sent.length) {
      const frame = this.socket.sent[this.read++] as ClientFrame;
      switch (frame.type) {
        case "hello":
          this.send(ready({ you: this.me }));
          break;
        case "join":
          this.join(frame.since);
          break;
        case "history":
          this.history.push(frame);
          break;
        case "chat":
        case "edit":
        case "delete":
        case "react":
          this.store(frame);
          break;
        default:
          break;
      }
    }
  }

  /** The next live event goes out; false when there is none. */
  deliverLive(): boolean {
    if (!this.joinedRoom || this.delivered >= this.room.head) return false;
    this.delivered++;
    const event = this.room.live(this.delivered);
    if (event.type === "poll") {
      this.socket.receiveRaw(event);
      this.serve();
    } else this.send(event);
    return true;
  }

  /** The oldest history request is answered from the room as it stands now; false when none waits. */
  answerHistory(): boolean {
    const request = this.history.shift();
    if (!request) return false;
    const limit = Math.min(request.limit, this.options.pageCap);
    const page =
      request.before !== undefined
        ? this.room.before(request.before, limit)
        : request.around !== undefined
          ? this.room.around(request.around, limit, this.delivered)
          : this.room.after(request.after ?? 0, limit, this.delivered);
    this.send({ type: "history", room: "lobby", ...page });
    return true;
  }

  /** The oldest ack or refusal goes out; false when none waits. */
  deliverReply(): boolean {
    const reply = this.replies.shift();
    if (!reply) return false;
    this.send(reply);
    return true;
  }

  private join(since: number | undefined): void {
    const page = since === undefined ? this.room.fresh(this.options.welcome) : this.room.resume(since, this.options.resumeMax);
    this.delivered = page.latestSeq;
    this.joinedRoom = true;
    this.send({ ...joined({ you: this.me, latestSeq: page.latestSeq, complete: page.complete }), messages: page.messages });
  }

  private store(frame: Extract<ClientFrame, { type: "chat" | "edit" | "delete" | "react" }>): void {
    const result = this.room.append(this.me, frame.clientMsgId, requestOf(frame));
    const { clientMsgId } = frame;
    if (result.ok) this.replies.push({ type: "ack", room: "lobby", clientMsgId, seq: result.seq, ts: result.ts });
    else this.replies.push({ type: "error", code: result.code, message: `refused: ${result.code}`, room: "lobby", clientMsgId });
  }

  /** Hands a frame to the client, then reads whatever it sent in answer. */
  private send(frame: ServerFrame): void {
    this.socket.receive(frame);
    this.serve();
  }
}

function requestOf(frame: Extract<ClientFrame, { type: "chat" | "edit" | "delete" | "react" }>): SimRequest {
  switch (frame.type) {
    case "chat":
      return { kind: "chat", text: frame.text, ...(frame.replyTo !== undefined ? { replyTo: frame.replyTo } : {}) };
    case "edit":
      return { kind: "edit", target: frame.target, text: frame.text };
    case "delete":
      return { kind: "delete", target: frame.target };
    case "react":
      return { kind: "react", target: frame.target, emoji: frame.emoji, on: frame.on };
  }
}
