import type { ChatFrame, ErrorCode, PageEvent, ReplyQuote, RoomEvent, User } from "@chatroom/protocol";

/** What a user asks the room to do (the body of a chat, edit, delete or react frame). */
export type SimRequest =
  | { kind: "chat"; text: string; replyTo?: number }
  | { kind: "edit"; target: number; text: string }
  | { kind: "delete"; target: number }
  | { kind: "react"; target: number; emoji: string; on: boolean };

export type SimResult = { ok: true; seq: number; ts: number; event: RoomEvent | null } | { ok: false; code: ErrorCode };

/** A stored event of a kind this client does not know (a newer server's): it takes a seq like any other. */
export interface ForeignEvent {
  type: "poll";
  room: string;
  seq: number;
  ts: number;
}

/** A chat as the store keeps it: its state now, with its reply as the target's seq. */
interface StoredChat {
  seq: number;
  from: User;
  text?: string;
  ts: number;
  clientMsgId: string;
  rev: number;
  replyTo?: number;
  edited?: { ts: number };
  deleted?: { by: User; ts: number };
  /** Users in the order they reacted; fewer than 50 in these tests, so the lists are exact. */
  reactions: { emoji: string; users: string[] }[];
}

const ROOM = "lobby";
const TS0 = 1_700_000_000_000;
const QUOTE_LENGTH = 100;

/**
 * A room's store written from the contract alone (docs and the [3/6] spec), independent of the
 * client's code: the reference a client's state is checked against. Every accepted change takes
 * the next seq; chats are kept as they stand; reads build pages the way the server does.
 */
export class SimRoom {
  /** Stored events as they went out live, by seq - 1. */
  private readonly log: (RoomEvent | ForeignEvent)[] = [];
  private readonly chats = new Map<number, StoredChat>();
  private readonly results = new Map<string, SimResult>();

  get head(): number {
    return this.log.length;
  }

  /** The seqs of chats, oldest first. */
  get chatSeqs(): number[] {
    return [...this.chats.keys()];
  }

  chat(seq: number): StoredChat | undefined {
    return this.chats.get(seq);
  }

  /** One user's request, checked and applied as the server's single append entry point does; resends get the first result. */
  append(from: User, clientMsgId: string, request: SimRequest): SimResult {
    const key = `${from.id}\n${clientMsgId}`;
    const earlier = this.results.get(key);
    if (earlier) return earlier;
    const result = this.apply(from, clientMsgId, request);
    // Refusals depend on the state at the time: a resend is judged again.
    if (result.ok) this.results.set(key, result);
    return result;
  }

  /** Stores an event of a kind clients of this build do not know. */
  appendForeign(): void {
    const seq = this.head + 1;
    this.log.push({ type: "poll", room: ROOM, seq, ts: TS0 + seq * 1000 });
  }

  /** The chat at `seq` as it stands now (`rev` always, the quote from its target now). */
  asItStands(seq: number): ChatFrame {
    const chat = this.chats.get(seq) as StoredChat;
    const frame: ChatFrame = {
      type: "chat",
      room: ROOM,
      seq: chat.seq,
      id: `m${chat.seq}`,
      from: chat.from,
      ...(chat.text !== undefined ? { text: chat.text } : {}),
      ts: chat.ts,
      clientMsgId: chat.clientMsgId,
      rev: chat.rev,
    };
    if (chat.replyTo !== undefined) frame.replyTo = this.quote(chat.replyTo);
    if (chat.edited) frame.edited = chat.edited;
    if (chat.deleted) frame.deleted = chat.deleted;
    if (chat.reactions.length > 0) {
      frame.reactions = chat.reactions.map((entry) => ({ emoji: entry.emoji, count: entry.users.length, users: [...entry.users] }));
    }
    return frame;
  }

  /** The live frame of the event at `seq`, as it went out when stored. */
  live(seq: number): RoomEvent | ForeignEvent {
    return this.log[seq - 1] as RoomEvent | ForeignEvent;
  }

  /** A fresh join: the newest `count` chats as they stand. */
  fresh(count: number): { messages: PageEvent[]; complete: boolean; latestSeq: number } {
    const seqs = this.chatSeqs;
    return { messages: seqs.slice(-count).map((seq) => this.asItStands(seq)), complete: seqs.length <= count, latestSeq: this.head };
  }

  /** A resume: every event after `since`, the newest `max`, chats as they stand. */
  resume(since: number, max: number): { messages: PageEvent[]; complete: boolean; latestSeq: number } {
    const all = this.eventsBetween(since, this.head);
    return { messages: all.slice(-max), complete: all.length <= max, latestSeq: this.head };
  }

  /** `history {before}`: the chats below `before`, the newest `limit`, as they stand. */
  before(before: number, limit: number): { messages: PageEvent[]; hasOlder: boolean } {
    const older = this.chatSeqs.filter((seq) => seq < before);
    const page = older.slice(-limit);
    return { messages: page.map((seq) => this.asItStands(seq)), hasOlder: older.length > page.length };
  }

  /** `history {after}`: events after `after`, oldest first, up to `upTo` (what the connection was sent). */
  after(after: number, limit: number, upTo: number): { messages: PageEvent[]; hasNewer: boolean } {
    // Every seq is an event: the page is the next `limit` seqs (read no further, for long rooms).
    return { messages: this.eventsBetween(after, Math.min(upTo, after + limit)), hasNewer: after + limit < upTo };
  }

  /**
   * `history {around}`: the chat at `around` if it is one, about half of the rest of `limit` below
   * it and the others above it (more on one side when the other runs out), chats as they stand, up
   * to `upTo` (what the connection was sent). `hasOlder`/`hasNewer`: chats beyond the page.
   */
  around(around: number, limit: number, upTo: number): { messages: PageEvent[]; hasOlder: boolean; hasNewer: boolean } {
    const seqs = this.chatSeqs.filter((seq) => seq <= upTo);
    const older = seqs.filter((seq) => seq < around);
    const newer = seqs.filter((seq) => seq > around);
    const hit = seqs.includes(around) ? 1 : 0;
    const rest = limit - hit;
    const below = Math.min(older.length, Math.max(Math.ceil(rest / 2), rest - newer.length));
    const above = Math.min(newer.length, rest - below);
    const page = [...older.slice(older.length - below), ...(hit ? [around] : []), ...newer.slice(0, above)];
    return { messages: page.map((seq) => this.asItStands(seq)), hasOlder: older.length > below, hasNewer: newer.length > above };
  }

  /** Events with `from < seq <= to` as a page carries them (on the wire: a foreign kind goes as it is). */
  private eventsBetween(from: number, to: number): PageEvent[] {
    const events: PageEvent[] = [];
    for (let seq = from + 1; seq <= to; seq++) {
      const event = this.live(seq);
      if (event.type === "chat") events.push(this.asItStands(seq));
      // Deleted means gone: an edit of a chat deleted since is read without its text.
      else if (event.type === "edit" && this.chats.get(event.target)?.deleted) {
        const { text: _text, ...rest } = event;
        events.push(rest);
      } else events.push(event as PageEvent);
    }
    return events;
  }

  private quote(target: number): ReplyQuote {
    const chat = this.chats.get(target);
    if (!chat || chat.text === undefined) return { seq: target, deleted: true };
    return { seq: target, from: chat.from, text: Array.from(chat.text).slice(0, QUOTE_LENGTH).join("") };
  }

  private apply(from: User, clientMsgId: string, request: SimRequest): SimResult {
    const seq = this.head + 1;
    const ts = TS0 + seq * 1000;
    const base = { room: ROOM, seq, ts, clientMsgId };
    const targetSeq = request.kind === "chat" ? request.replyTo : request.target;
    const target = targetSeq === undefined ? undefined : this.chats.get(targetSeq);
    if (targetSeq !== undefined && !target) return { ok: false, code: "not_found" };
    if (target?.deleted) return { ok: false, code: "gone" };
    switch (request.kind) {
      case "chat": {
        const chat: StoredChat = { seq, from, text: request.text, ts, clientMsgId, rev: seq, reactions: [] };
        if (request.replyTo !== undefined) chat.replyTo = request.replyTo;
        this.chats.set(seq, chat);
        const event: ChatFrame = { type: "chat", ...base, id: `m${seq}`, from, text: request.text };
        if (request.replyTo !== undefined) event.replyTo = this.quote(request.replyTo);
        return this.stored(event);
      }
      case "edit": {
        const chat = target as StoredChat;
        if (chat.from.id !== from.id) return { ok: false, code: "forbidden" };
        Object.assign(chat, { text: request.text, rev: seq, edited: { ts } });
        return this.stored({ type: "edit", ...base, target: chat.seq, text: request.text, by: from });
      }
      case "delete": {
        const chat = target as StoredChat;
        if (chat.from.id !== from.id) return { ok: false, code: "forbidden" };
        delete chat.text;
        delete chat.replyTo;
        Object.assign(chat, { rev: seq, deleted: { by: from, ts }, reactions: [] });
        return this.stored({ type: "delete", ...base, target: chat.seq, by: from });
      }
      case "react": {
        const chat = target as StoredChat;
        const entry = chat.reactions.find((candidate) => candidate.emoji === request.emoji);
        const wasOn = entry?.users.includes(from.id) ?? false;
        // Changing nothing stores nothing: acked with the seq the room had reached.
        if (wasOn === request.on) return { ok: true, seq: this.head, ts, event: null };
        if (request.on && !entry && chat.reactions.length >= 20) return { ok: false, code: "forbidden" };
        if (request.on) {
          if (entry) entry.users.push(from.id);
          else chat.reactions.push({ emoji: request.emoji, users: [from.id] });
        } else if (entry) {
          entry.users = entry.users.filter((id) => id !== from.id);
          if (entry.users.length === 0) chat.reactions = chat.reactions.filter((candidate) => candidate !== entry);
        }
        chat.rev = seq;
        return this.stored({ type: "reaction", ...base, target: chat.seq, emoji: request.emoji, on: request.on, by: from });
      }
    }
  }

  private stored(event: RoomEvent): SimResult {
    this.log.push(event);
    return { ok: true, seq: event.seq, ts: event.ts, event };
  }
}
