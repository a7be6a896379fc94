import type { ChangeEvent, ChatFrame, ModerationEvent } from "@chatroom/protocol";
import { moderate } from "../access-moderation";
import { type AccessStep, deletesOthers, gateFor } from "../access-ops";
import type { AccessReader } from "../access-state";
import type { AccessResult, AccessRunner, Dedupe } from "../access-store";
import { aroundBounds, aroundPage } from "../around-page";
import { BackendClosedError } from "../backend-closed-error";
import { checkTarget, reactionChange, targetOf } from "../change-rules";
import { chatFrameOf, copyUser, decideMentions, mentionFieldsOf, type StoredChat } from "../chat-state";
import { createMessageIds } from "../message-ids";
import type {
  Ack,
  AppendResult,
  AroundPageResult,
  ChangeRequest,
  LatestChatsResult,
  MessageStore,
  NewerPageResult,
  PageResult,
  RangeQuery,
  RangeResult,
  StoredEvent,
} from "../message-store";
import { moderationEventOf } from "../moderation-event";
import { MemoryAccessState } from "./access-state";

type Entry = { type: "chat"; chat: StoredChat } | { type: "change"; event: ChangeEvent | ModerationEvent };

/** One room: its log, the seqs of its chats, and who reacted with what to each chat. */
interface RoomLog {
  /** `entries[i]` has seq `i + 1`: the log is dense, so lookups by seq are index arithmetic. */
  entries: Entry[];
  /** Ascending, for the pages that hold chats only. */
  chatSeqs: number[];
  /** chat seq -> `emoji\nuser id` of every reaction that is on. */
  reactors: Map<number, Set<string>>;
  /** chat seq -> its edit events, whose texts go when the chat is deleted. */
  edits: Map<number, ChangeEvent[]>;
}

/** The outcome a `(user id, clientMsgId)` got, for its resends. */
interface Sent {
  ack: Ack;
  /** False for a reaction that changed nothing: no event has `ack.seq`. */
  stored: boolean;
}

/**
 * The reference message store: every room's events in process memory, gone on restart. Every
 * append runs synchronously from its check to its write, which is what makes it atomic here.
 */
export class MemoryMessageStore implements MessageStore, AccessRunner {
  private readonly rooms = new Map<string, RoomLog>();
  /** Dedupe is per user across rooms: `(user id, clientMsgId)` identifies a send. */
  private readonly sent = new Map<string, Sent>();
  private readonly nextMessageId: () => string;
  private readonly now: () => number;
  private readonly isOpen: () => boolean;
  private readonly access: MemoryAccessState;
  private readonly memberCount: (room: string) => number;

  /** `isOpen` is the backend's: appends fail once the backend is closed, as every store's do. */
  /** `access`: the backend's, which knows its memberships; alone (unit tests), a state of its own. */
  /** `memberCount`: the backend's memberships, for the `@room` rule; alone, no members. */
  constructor(options: {
    nodeId: string;
    access?: MemoryAccessState;
    now?: () => number;
    isOpen?: () => boolean;
    memberCount?: (room: string) => number;
  }) {
    this.memberCount = options.memberCount ?? (() => 0);
    this.now = options.now ?? Date.now;
    this.nextMessageId = createMessageIds(options.nodeId);
    this.isOpen = options.isOpen ?? (() => true);
    this.access =
      options.access ??
      new MemoryAccessState({ hasEvents: (room) => this.hasEvents(room), hasMembers: () => false, forgetMembership: () => {} });
  }

  /** Whether the room has any event: `create` refuses a room that has. */
  hasEvents(room: string): boolean {
    return (this.rooms.get(room)?.entries.length ?? 0) > 0;
  }

  async runAccess<T>(
    room: string,
    dedupe: Dedupe | undefined,
    decide: (reader: AccessReader, now: number) => AccessStep<T>,
  ): Promise<AccessResult<T>> {
    if (!this.isOpen()) throw new BackendClosedError();
    const key = dedupe && `${dedupe.userId}\u0000${dedupe.clientMsgId}`;
    const original = key === undefined ? undefined : this.sent.get(key);
    if (original) return { ok: true, duplicate: true, ack: { ...original.ack } };
    const now = this.now();
    const step = decide(this.access.reader(room), now);
    if (!step.ok) return step;
    this.access.apply(room, step.writes);
    const log = this.log(room);
    const events = step.events.map((body) => {
      const event = moderationEventOf(room, log.entries.length + 1, now, body);
      log.entries.push({ type: "change", event });
      return { ...event };
    });
    const ack = { room, seq: log.entries.length, ts: now };
    if (key !== undefined) this.sent.set(key, { ack, stored: events.length > 0 });
    return { ok: true, duplicate: false, ack: { ...ack }, value: step.value, events };
  }

  async append(request: ChangeRequest): Promise<AppendResult> {
    if (!this.isOpen()) throw new BackendClosedError();
    const dedupeKey = `${request.actor.id}\u0000${request.clientMsgId}`;
    const original = this.sent.get(dedupeKey);
    if (original) {
      const event = original.stored ? this.eventAt(original.ack.room, original.ack.seq) : null;
      return { ok: true, ack: { ...original.ack }, event: event ?? null, duplicate: true };
    }
    if (request.kind === "moderate") {
      const dedupe = { userId: request.actor.id, clientMsgId: request.clientMsgId };
      const result = await this.runAccess(request.room, dedupe, (reader, now) => moderate(reader, request, now));
      if (!result.ok) return result;
      return { ok: true, ack: result.ack, event: result.duplicate ? null : (result.events[0] ?? null), duplicate: false };
    }
    const now = this.now();
    const reader = this.access.reader(request.room);
    const gated = gateFor(reader, request.actor, request.kind, now, this.access.lastChat(request.room, request.actor.id));
    if (gated.refusal) return gated.refusal;
    const log = this.log(request.room);
    const targetSeq = targetOf(request);
    const target = targetSeq === undefined ? undefined : chatAt(log, targetSeq);
    const refused = checkTarget(request, target, now, (authorId) => deletesOthers(reader, gated.role, authorId));
    if (refused) return refused;
    const seq = log.entries.length + 1;
    const by = copyUser(request.actor);
    const base = { room: request.room, seq, ts: now };
    let event: StoredEvent;
    switch (request.kind) {
      case "chat": {
        const chat: StoredChat = {
          ...base,
          id: this.nextMessageId(),
          from: by,
          text: request.text,
          clientMsgId: request.clientMsgId,
          rev: seq,
          ...decideMentions(request, () => this.memberCount(request.room)),
        };
        if (request.replyTo !== undefined) chat.replyTo = request.replyTo;
        log.entries.push({ type: "chat", chat });
        log.chatSeqs.push(seq);
        this.access.noteChat(request.room, by.id, now);
        event = chatFrameOf(chat, target, { live: true });
        break;
      }
      case "edit": {
        const chat = target as StoredChat;
        const mentions = decideMentions(request, () => this.memberCount(request.room));
        const edit: ChangeEvent = {
          type: "edit",
          ...base,
          target: chat.seq,
          text: request.text,
          by,
          clientMsgId: request.clientMsgId,
          ...mentions,
        };
        delete chat.mentions;
        delete chat.mentionsRoom;
        Object.assign(chat, { text: request.text, rev: seq, edited: { ts: now } }, mentionFieldsOf(mentions));
        log.entries.push({ type: "change", event: edit });
        log.edits.set(chat.seq, [...(log.edits.get(chat.seq) ?? []), edit]);
        event = { ...edit, ...mentionFieldsOf(edit) };
        break;
      }
      case "delete": {
        const chat = target as StoredChat;
        purge(log, chat);
        Object.assign(chat, { rev: seq, deleted: { by, ts: now } });
        const deletion: ChangeEvent = { type: "delete", ...base, target: chat.seq, by, clientMsgId: request.clientMsgId };
        log.entries.push({ type: "change", event: deletion });
        event = { ...deletion };
        break;
      }
      case "react": {
        const chat = target as StoredChat;
        const reactors = log.reactors.get(chat.seq) ?? new Set<string>();
        const key = `${request.emoji}\n${request.actor.id}`;
        const outcome = reactionChange(chat.reactions, { emoji: request.emoji, userId: by.id, on: request.on, wasOn: reactors.has(key) });
        if (outcome.kind === "refused") return outcome.refusal;
        if (outcome.kind === "unchanged") {
          const ack = { room: request.room, seq: seq - 1, ts: now };
          this.sent.set(dedupeKey, { ack, stored: false });
          return { ok: true, ack: { ...ack }, event: null, duplicate: false };
        }
        if (request.on) reactors.add(key);
        else reactors.delete(key);
        log.reactors.set(chat.seq, reactors);
        chat.reactions = outcome.reactions;
        chat.rev = seq;
        const reaction: ChangeEvent = {
          type: "reaction",
          ...base,
          target: chat.seq,
          emoji: request.emoji,
          on: request.on,
          by,
          clientMsgId: request.clientMsgId,
        };
        log.entries.push({ type: "change", event: reaction });
        event = { ...reaction };
        break;
      }
    }
    const ack = { room: request.room, seq, ts: now };
    this.sent.set(dedupeKey, { ack, stored: true });
    return { ok: true, ack: { ...ack }, event, duplicate: false };
  }

  async latestSeq(room: string): Promise<number> {
    return this.rooms.get(room)?.entries.length ?? 0;
  }

  async latestSeqs(rooms: readonly string[]): Promise<Map<string, number>> {
    return new Map(rooms.map((room) => [room, this.rooms.get(room)?.entries.length ?? 0]));
  }

  async latestChats(room: string, upTo: number, limit: number): Promise<LatestChatsResult> {
    const log = this.rooms.get(room);
    if (!log) return { messages: [], complete: true };
    const end = firstIndexAtOrAbove(log.chatSeqs, upTo + 1);
    const start = Math.max(0, end - limit);
    return { messages: this.chats(log, start, end), complete: start === 0 };
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const log = this.rooms.get(room);
    const upTo = Math.min(query.upTo, log?.entries.length ?? 0);
    const after = Math.max(0, query.after);
    if (!log || after >= upTo) return { messages: [], complete: true };
    const start = Math.max(after, upTo - query.limit);
    return { messages: this.events(log, start, upTo), complete: start === after };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    const log = this.rooms.get(room);
    if (!log) return { messages: [], hasOlder: false };
    const end = firstIndexAtOrAbove(log.chatSeqs, before);
    const start = Math.max(0, end - limit);
    return { messages: this.chats(log, start, end), hasOlder: start > 0 };
  }

  async after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult> {
    const log = this.rooms.get(room);
    const end = Math.min(upTo, log?.entries.length ?? 0);
    const start = Math.max(0, after);
    if (!log || start >= end) return { messages: [], hasNewer: false };
    const stop = Math.min(end, start + limit);
    return { messages: this.events(log, start, stop), hasNewer: stop < end };
  }

  async around(room: string, seq: number, upTo: number, limit: number): Promise<AroundPageResult> {
    const log = this.rooms.get(room);
    if (!log) return { messages: [], hasOlder: false, hasNewer: false };
    const { olderBelow, newerAfter } = aroundBounds(seq, upTo);
    const olderEnd = firstIndexAtOrAbove(log.chatSeqs, olderBelow);
    const newerStart = firstIndexAtOrAbove(log.chatSeqs, newerAfter + 1);
    const newerEnd = Math.min(firstIndexAtOrAbove(log.chatSeqs, upTo + 1), newerStart + limit + 1);
    const older = this.chats(log, Math.max(0, olderEnd - limit - 1), olderEnd);
    const newer = this.chats(log, newerStart, Math.max(newerStart, newerEnd));
    return aroundPage(older, newer, limit);
  }

  private log(room: string): RoomLog {
    let log = this.rooms.get(room);
    if (!log) {
      log = { entries: [], chatSeqs: [], reactors: new Map(), edits: new Map() };
      this.rooms.set(room, log);
    }
    return log;
  }

  /** The event at `seq` as a page shows it: a copy, so later changes do not reach the caller. */
  private eventAt(room: string, seq: number): StoredEvent | undefined {
    const log = this.rooms.get(room);
    return log && seq >= 1 && seq <= log.entries.length ? this.events(log, seq - 1, seq)[0] : undefined;
  }

  /** Events with seqs `start + 1` to `end`, chats as they stand. */
  private events(log: RoomLog, start: number, end: number): StoredEvent[] {
    return log.entries.slice(start, end).map((entry) => (entry.type === "chat" ? standing(log, entry.chat) : { ...entry.event }));
  }

  /** `chatSeqs[start]` to `chatSeqs[end - 1]`, as they stand. */
  private chats(log: RoomLog, start: number, end: number): ChatFrame[] {
    return log.chatSeqs.slice(start, end).map((seq) => standing(log, chatAt(log, seq) as StoredChat));
  }
}

function standing(log: RoomLog, chat: StoredChat): ChatFrame {
  return chatFrameOf(chat, chat.replyTo === undefined ? undefined : chatAt(log, chat.replyTo), { live: false });
}

function chatAt(log: RoomLog, seq: number): StoredChat | undefined {
  const entry = log.entries[seq - 1];
  return entry?.type === "chat" ? entry.chat : undefined;
}

/** Deleted means gone: the chat's text, its edits' texts, its reactions, its reply link and its mentions. */
function purge(log: RoomLog, chat: StoredChat): void {
  for (const edit of log.edits.get(chat.seq) ?? []) {
    if (edit.type !== "edit") continue;
    delete edit.text;
    delete edit.mentions;
    delete edit.mentionsRoom;
  }
  log.edits.delete(chat.seq);
  log.reactors.delete(chat.seq);
  delete chat.text;
  delete chat.reactions;
  delete chat.replyTo;
  delete chat.mentions;
  delete chat.mentionsRoom;
}

/** The index of the first seq in ascending `seqs` that is at least `seq`. */
function firstIndexAtOrAbove(seqs: readonly number[], seq: number): number {
  let low = 0;
  let high = seqs.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((seqs[middle] as number) < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}
