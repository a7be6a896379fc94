import type { User } from "@chatroom/protocol";
import { type AccessKind, layoutReader, layoutWrites, META_KEY } from "../access-layout";
import type { AccessReader, AccessWrite } from "../access-state";
import type { AppendTx, EventRecord, SentRecord } from "../append-step";
import type { MentionFields, StoredChat } from "../chat-state";
import { mentionFieldsOf } from "../chat-state";
import type { StoredEvent } from "../message-store";

/** Something a step asked for that the tick has not loaded: load it and run the step again. */
export type RowNeed =
  | { kind: "sends"; userId: string; clientMsgId: string }
  | { kind: "access"; room: string; entry: AccessKind; key: string }
  | { kind: "access-room"; room: string }
  | { kind: "slow-chat"; room: string; userId: string }
  | { kind: "chat"; room: string; seq: number }
  | { kind: "event"; room: string; seq: number }
  | { kind: "members"; room: string }
  | { kind: "reactor"; room: string; seq: number; emoji: string; userId: string };

/**
 * Thrown by a read the tick cannot answer yet. Every read of a step comes before its first write
 * (append-step.ts), so the step is abandoned with nothing changed, the rows are loaded, and it runs again.
 */
export class NeedRows extends Error {
  constructor(readonly need: RowNeed) {
    super(`the tick has not loaded ${need.kind}`);
    this.name = "NeedRows";
  }
}

/** A composite map key: NUL never occurs in room names, ids or keys the protocol accepts. */
export const keyOf = (...parts: Array<string | number>): string => parts.join("\u0000");

interface RoomAccess {
  /** Entries loaded so far, by `keyOf(kind, key)`; a null value: known absent. */
  entries: Map<string, string | null>;
  /** Every entry of the room is loaded (a `list` or a moderation step needed them all). */
  complete: boolean;
  /** Users holding a membership, less those this tick removed; undefined until asked. */
  members?: number;
}

/** What the tick writes at its end, each collapsed to its final value per key. */
export interface TickWrites {
  sends: Array<{ userId: string; clientMsgId: string } & SentRecord>;
  events: EventRecord[];
  /** Chats whose edits' texts go (a delete): the rows stored before this tick (this tick's own are scrubbed in memory). */
  purgedEdits: Array<{ room: string; target: number }>;
  /** Every chat inserted or changed, as it stands at the end of the tick. */
  chats: StoredChat[];
  /** Chats whose reactors all go (a delete). */
  purgedReactions: Array<{ room: string; seq: number }>;
  reactors: Array<{ room: string; seq: number; emoji: string; userId: string; on: boolean }>;
  access: Array<{ room: string; kind: AccessKind; key: string; value: string | null }>;
  forgottenMemberships: Array<{ room: string; userId: string }>;
  slowChats: Array<{ room: string; userId: string; ts: number }>;
  /** Each room's latest seq, for the rooms this tick appended to. */
  seqs: Array<{ room: string; seq: number }>;
  /** The chats whose searchable text changed (inserted, edited, deleted): queued for the search indexer. */
  searchQueue: Array<{ room: string; seq: number }>;
}

/**
 * `AppendTx` for one PostgreSQL tick: the reads are answered from rows the tick loaded inside its
 * transaction, after it locked the counter row of every room it touches (so no other node can
 * change those rooms until COMMIT); the writes change those rows in memory and are collected for
 * one multi-statement write at the end (tick-sql.ts). A read of something not loaded throws
 * `NeedRows`.
 */
export class PgTickState implements AppendTx {
  /** Rooms' seqs as locked at the start of the tick, moved by this tick's events. */
  private readonly seqs: Map<string, number>;
  private readonly appendedRooms = new Set<string>();
  private readonly sends = new Map<string, SentRecord | null>();
  private readonly claimed = new Map<string, { userId: string; clientMsgId: string } & SentRecord>();
  private readonly rooms = new Map<string, RoomAccess>();
  private readonly accessWrites = new Map<string, { room: string; kind: AccessKind; key: string; value: string | null }>();
  private readonly forgotten = new Map<string, { room: string; userId: string }>();
  private readonly slowChats = new Map<string, number | null>();
  private readonly slowWrites = new Map<string, { room: string; userId: string; ts: number }>();
  private readonly chats = new Map<string, StoredChat | null>();
  private readonly changedChats = new Set<string>();
  private readonly events = new Map<string, StoredEvent | null>();
  private readonly newEvents: EventRecord[] = [];
  private readonly purgedEdits: Array<{ room: string; target: number }> = [];
  private readonly purgedReactions = new Map<string, { room: string; seq: number }>();
  private readonly reactors = new Map<string, boolean>();
  private readonly reactorWrites = new Map<string, { room: string; seq: number; emoji: string; userId: string; on: boolean }>();
  private readonly searchQueue = new Map<string, { room: string; seq: number }>();

  constructor(lockedSeqs: ReadonlyMap<string, number>) {
    this.seqs = new Map(lockedSeqs);
  }

  // ---- loading (tick-sql.ts fills these from its queries) ----

  loadSent(userId: string, clientMsgId: string, record: SentRecord | null): void {
    this.sends.set(keyOf(userId, clientMsgId), record);
  }

  loadAccess(room: string, kind: AccessKind, key: string, value: string | null): void {
    this.roomAccess(room).entries.set(keyOf(kind, key), value);
  }

  /** Every entry of the room (those not given are absent), keeping what this tick already changed. */
  loadAccessRoom(room: string, rows: ReadonlyArray<{ kind: AccessKind; key: string; value: string }>): void {
    const access = this.roomAccess(room);
    const entries = new Map<string, string | null>(rows.map((row) => [keyOf(row.kind, row.key), row.value]));
    for (const write of this.accessWrites.values()) if (write.room === room) entries.set(keyOf(write.kind, write.key), write.value);
    access.entries = entries;
    access.complete = true;
  }

  loadMembers(room: string, count: number): void {
    this.roomAccess(room).members = count;
  }

  /** The users whose membership of `room` this tick removed: a member count must leave them out. */
  forgottenIn(room: string): string[] {
    return [...this.forgotten.values()].filter((entry) => entry.room === room).map((entry) => entry.userId);
  }

  loadSlowChat(room: string, userId: string, ts: number | null): void {
    this.slowChats.set(keyOf(room, userId), ts);
  }

  loadChat(room: string, seq: number, chat: StoredChat | null): void {
    const key = keyOf(room, seq);
    if (!this.chats.has(key)) this.chats.set(key, chat);
  }

  loadEvent(room: string, seq: number, event: StoredEvent | null): void {
    this.events.set(keyOf(room, seq), event);
  }

  loadReactor(room: string, seq: number, emoji: string, userId: string, on: boolean): void {
    const key = keyOf(room, seq, emoji, userId);
    if (!this.reactors.has(key)) this.reactors.set(key, on);
  }

  // ---- AppendTx: reads ----

  sent(userId: string, clientMsgId: string): SentRecord | undefined {
    const key = keyOf(userId, clientMsgId);
    const claimed = this.claimed.get(key);
    if (claimed) return claimed;
    if (!this.sends.has(key)) throw new NeedRows({ kind: "sends", userId, clientMsgId });
    return this.sends.get(key) ?? undefined;
  }

  latestSeq(room: string): number {
    const seq = this.seqs.get(room);
    // Every room of the tick is locked before its first step: a room outside it is a bug.
    if (seq === undefined) throw new Error(`room ${JSON.stringify(room)} is not locked by this tick`);
    return seq;
  }

  access(room: string): AccessReader {
    const access = this.roomAccess(room);
    const need = (kind: AccessKind, key: string): never => {
      throw new NeedRows({ kind: "access", room, entry: kind, key });
    };
    return layoutReader({
      get: (kind, key) => {
        const entryKey = keyOf(kind, key);
        if (!access.entries.has(entryKey)) return access.complete ? undefined : need(kind, key);
        return access.entries.get(entryKey) ?? undefined;
      },
      list: (kind) => {
        if (!access.complete) throw new NeedRows({ kind: "access-room", room });
        const prefix = keyOf(kind, "");
        return [...access.entries.entries()]
          .filter(([key, value]) => key.startsWith(prefix) && value !== null)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, value]) => value as string);
      },
      hasEventsOrMembers: () => this.latestSeq(room) > 0 || this.memberCount(room) > 0,
    });
  }

  lastChat(room: string, userId: string): number | undefined {
    const key = keyOf(room, userId);
    if (!this.slowChats.has(key)) throw new NeedRows({ kind: "slow-chat", room, userId });
    return this.slowChats.get(key) ?? undefined;
  }

  chat(room: string, seq: number): StoredChat | undefined {
    const key = keyOf(room, seq);
    if (!this.chats.has(key)) throw new NeedRows({ kind: "chat", room, seq });
    return this.chats.get(key) ?? undefined;
  }

  event(room: string, seq: number): StoredEvent | null {
    const key = keyOf(room, seq);
    if (!this.events.has(key)) throw new NeedRows({ kind: "event", room, seq });
    return this.events.get(key) ?? null;
  }

  memberCount(room: string): number {
    const members = this.roomAccess(room).members;
    if (members === undefined) throw new NeedRows({ kind: "members", room });
    return members;
  }

  reactorOn(room: string, seq: number, emoji: string, userId: string): boolean {
    const key = keyOf(room, seq, emoji, userId);
    const on = this.reactors.get(key);
    if (on === undefined) throw new NeedRows({ kind: "reactor", room, seq, emoji, userId });
    return on;
  }

  // ---- AppendTx: writes ----

  remember(userId: string, clientMsgId: string, record: SentRecord): void {
    this.claimed.set(keyOf(userId, clientMsgId), { userId, clientMsgId, ...record });
  }

  applyAccess(room: string, writes: readonly AccessWrite[]): void {
    const access = this.roomAccess(room);
    const { entries, forgetMemberships } = layoutWrites(writes);
    for (const entry of entries) {
      access.entries.set(keyOf(entry.kind, entry.key), entry.value);
      this.accessWrites.set(keyOf(room, entry.kind, entry.key), { room, ...entry });
    }
    for (const userId of forgetMemberships) {
      this.forgotten.set(keyOf(room, userId), { room, userId });
      // Counted again (without them) if a later step of the tick asks.
      access.members = undefined;
    }
  }

  noteChat(room: string, userId: string, ts: number): void {
    this.slowChats.set(keyOf(room, userId), ts);
    this.slowWrites.set(keyOf(room, userId), { room, userId, ts });
  }

  insertEvent(event: EventRecord): void {
    this.newEvents.push(event);
    this.seqs.set(event.room, event.seq);
    this.appendedRooms.add(event.room);
  }

  insertChat(chat: StoredChat): void {
    this.putChat(chat);
    this.searchQueue.set(keyOf(chat.room, chat.seq), { room: chat.room, seq: chat.seq });
  }

  editChat(room: string, seq: number, edit: { text: string; rev: number; ts: number; mentions: MentionFields }): void {
    const chat = this.changedChat(room, seq);
    chat.text = edit.text;
    chat.rev = edit.rev;
    chat.edited = { ts: edit.ts };
    delete chat.mentions;
    delete chat.mentionsRoom;
    Object.assign(chat, mentionFieldsOf(edit.mentions));
    this.searchQueue.set(keyOf(room, seq), { room, seq });
  }

  deleteChat(room: string, seq: number, deletion: { rev: number; by: User; ts: number }): void {
    const chat = this.changedChat(room, seq);
    for (const field of ["text", "reactions", "replyTo", "mentions", "mentionsRoom"] as const) delete chat[field];
    chat.rev = deletion.rev;
    chat.deleted = { by: deletion.by, ts: deletion.ts };
    // This tick's own edits of it lose their text here; the stored ones in the write.
    for (const event of this.newEvents) {
      if (event.room === room && event.kind === "edit" && event.target === seq) {
        event.text = null;
        event.mentions = null;
      }
    }
    this.purgedEdits.push({ room, target: seq });
    this.purgedReactions.set(keyOf(room, seq), { room, seq });
    for (const [key, write] of this.reactorWrites) if (write.room === room && write.seq === seq) this.reactorWrites.delete(key);
    this.searchQueue.set(keyOf(room, seq), { room, seq });
  }

  react(room: string, seq: number, reaction: Parameters<AppendTx["react"]>[2]): void {
    const chat = this.changedChat(room, seq);
    chat.rev = reaction.rev;
    if (reaction.reactions === undefined) delete chat.reactions;
    else chat.reactions = reaction.reactions;
    const key = keyOf(room, seq, reaction.emoji, reaction.userId);
    this.reactors.set(key, reaction.on);
    this.reactorWrites.set(key, { room, seq, emoji: reaction.emoji, userId: reaction.userId, on: reaction.on });
  }

  // ---- the end of the tick ----

  writes(): TickWrites {
    return {
      sends: [...this.claimed.values()],
      events: this.newEvents,
      purgedEdits: this.purgedEdits,
      chats: [...this.changedChats].map((key) => this.chats.get(key)).filter((chat): chat is StoredChat => chat != null),
      purgedReactions: [...this.purgedReactions.values()],
      reactors: [...this.reactorWrites.values()],
      access: [...this.accessWrites.values()],
      forgottenMemberships: [...this.forgotten.values()],
      slowChats: [...this.slowWrites.values()],
      seqs: [...this.appendedRooms].map((room) => ({ room, seq: this.latestSeq(room) })),
      searchQueue: [...this.searchQueue.values()],
    };
  }

  private roomAccess(room: string): RoomAccess {
    let access = this.rooms.get(room);
    if (!access) {
      access = { entries: new Map(), complete: false };
      this.rooms.set(room, access);
    }
    return access;
  }

  private putChat(chat: StoredChat): void {
    const key = keyOf(chat.room, chat.seq);
    this.chats.set(key, chat);
    this.changedChats.add(key);
  }

  /** The chat as this tick holds it, copied on first change so a loaded row is never shared. */
  private changedChat(room: string, seq: number): StoredChat {
    const key = keyOf(room, seq);
    const chat = this.chats.get(key);
    // The step read it (chat()) before changing it: absent here is a bug.
    if (!chat) throw new Error(`chat ${room}/${seq} changed before it was read`);
    if (this.changedChats.has(key)) return chat;
    const copy: StoredChat = structuredClone(chat);
    this.putChat(copy);
    return copy;
  }
}

/** The `meta` entry's key, as the prefetch asks for it. */
export const META_ENTRY = { kind: "meta" as const, key: META_KEY };
