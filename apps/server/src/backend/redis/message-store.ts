import { type ChatFrame, DEFAULT_LIMITS } from "@chatroom/protocol";
import type { Redis } from "ioredis";
import { moderate } from "../access-moderation";
import { gateFor } from "../access-ops";
import { isStaff, rankOf, slowModeRefusal } from "../access-rules";
import type { AccessReader } from "../access-state";
import { aroundBounds, aroundPage } from "../around-page";
import { BackendClosedError } from "../backend-closed-error";
import { REFUSALS, targetOf } from "../change-rules";
import { type MentionRequest, mentionFieldsOf } from "../chat-state";
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
import type { RedisAccessState } from "./access-state";
import { APPEND_LUA, READ_LUA } from "./event-scripts";
import type { HistoryKeys, RedisKeys } from "./keys";
import { eventFromParts, eventFromPublished, type StoredParts } from "./stored-events";

type HistoryKeyList = [eventLog: string, texts: string, chats: string, chatSeqs: string, floor: string];
type AppendReply =
  | [status: "refused", code: string, reason: keyof typeof REFUSALS | "slowMode", retryAfterMs?: number]
  | [status: "stale"]
  | [status: "dup" | "noop", sent: string]
  | [status: "ok", sent: string, published: string];

interface EventCommands {
  roomAppend(dedupe: string, seq: string, ...rest: Array<string | number>): Promise<AppendReply>;
  roomRead(...keysThenArgs: Array<string | number>): Promise<Array<string | number | null>>;
}

export type EventClient = Redis & EventCommands;

/** Registers the history scripts on a connection. */
export function defineEventCommands(client: Redis): EventClient {
  client.defineCommand("roomAppend", { numberOfKeys: 10, lua: APPEND_LUA });
  client.defineCommand("roomRead", { numberOfKeys: 7, lua: READ_LUA });
  return client as EventClient;
}

export interface RedisMessageStoreOptions {
  client: EventClient;
  keys: RedisKeys;
  nodeId: string;
  /** How many events each room keeps; older ones are trimmed. */
  streamMaxLen: number;
  dedupeTtlSeconds: number;
  now: () => number;
  isOpen: () => boolean;
  access: RedisAccessState;
}

/** How many times a change is gated again on a fresh snapshot before giving up (each retry means another node changed the room's access). */
const MAX_ATTEMPTS = 20;

/** What the dedupe key remembers of a send (see APPEND_LUA). */
interface Sent extends Ack {
  stored: boolean;
}

/**
 * A room's history as hashes keyed by seq (see event-scripts.ts): seqs are dense, so a page is a
 * list of seqs, and a deleted chat's texts can be removed in place, which an append-only stream
 * cannot do. Every change is one Lua script (dedupe, checks, INCR, writes, trim, PUBLISH), so
 * seqs are dense and ordered across nodes; every read is one script too, so a page is one state.
 */
export class RedisMessageStore implements MessageStore {
  private readonly nextMessageId: () => string;

  constructor(private readonly options: RedisMessageStoreOptions) {
    this.nextMessageId = createMessageIds(options.nodeId);
  }

  async append(request: ChangeRequest): Promise<AppendResult> {
    const { client, keys, access } = this.options;
    if (!this.options.isOpen()) throw new BackendClosedError();
    if (request.kind === "moderate") {
      const dedupe = { userId: request.actor.id, clientMsgId: request.clientMsgId };
      const result = await access.runAccess(request.room, dedupe, (reader, now) => moderate(reader, request, now));
      if (!result.ok) return result;
      if (!result.duplicate) return { ok: true, ack: result.ack, event: result.events[0] ?? null, duplicate: false };
      const event = (await this.read(result.ack.room, ["seqs", result.ack.seq])).events[0] ?? null;
      return { ok: true, ack: result.ack, event, duplicate: true };
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const snapshot = await access.snapshot(request.room, { fresh: attempt > 0 });
      const now = this.options.now();
      const gated = gateFor(snapshot.reader, request.actor, request.kind, now);
      if (gated.refusal) {
        // Dedupe comes first (a resend of what was stored before a ban gets its original), and
        // a refusal on a cached snapshot may be stale: decide once more on a fresh one.
        if (attempt === 0) continue;
        if ((await client.exists(keys.dedupe(request.actor.id, request.clientMsgId))) === 0) return gated.refusal;
      }
      const reply = await this.appendScript(request, now, snapshot, gated.role);
      if (reply[0] === "stale") {
        access.forget(request.room);
        continue;
      }
      return this.answer(reply);
    }
    throw new Error(`the access state of room ${JSON.stringify(request.room)} kept changing under ${MAX_ATTEMPTS} attempts`);
  }

  private async answer(reply: Exclude<AppendReply, [status: "stale"]>): Promise<AppendResult> {
    if (reply[0] === "refused") {
      if (reply[2] === "slowMode") return slowModeRefusal(Number(reply[3]));
      return REFUSALS[reply[2]];
    }
    const sent = JSON.parse(reply[1]) as Sent;
    const ack = { room: sent.room, seq: sent.seq, ts: sent.ts };
    if (reply[0] === "ok") return { ok: true, ack, event: eventFromPublished(reply[2]).event, duplicate: false };
    if (reply[0] === "noop") return { ok: true, ack, event: null, duplicate: false };
    const event = sent.stored ? ((await this.read(sent.room, ["seqs", sent.seq])).events[0] ?? null) : null;
    return { ok: true, ack, event, duplicate: true };
  }

  /** APPEND_LUA with the gate's decision: the version it was made on, slow mode, who may delete whose chats. */
  private appendScript(
    request: Exclude<ChangeRequest, { kind: "moderate" }>,
    now: number,
    snapshot: { version: number; reader: AccessReader },
    role: ReturnType<typeof gateFor>["role"],
  ): Promise<AppendReply> {
    const { client, keys } = this.options;
    const { head, tail, text } = eventJson(request, now, this.nextMessageId);
    const history = keys.history(request.room);
    const access = keys.access(request.room);
    const meta = snapshot.reader.meta();
    const mentioning: MentionRequest = request.kind === "chat" || request.kind === "edit" ? request : {};
    const users = mentionFieldsOf({ ...(mentioning.mentions ? { mentions: mentioning.mentions } : {}) }).mentions ?? [];
    const mentionedIds = users.map((user) => user.id);
    // The users as a fragment of the event's JSON (without braces); the script adds `@room` once decided.
    const fragment = users.length > 0 ? JSON.stringify({ mentions: users }).slice(1, -1) : "";
    const roomRule = mentioning.mentionsRoom ? "all" : (mentioning.roomMentionMembersMax?.toString() ?? "");
    // Authors whose chats this staff actor may not delete: those of a higher stored rank.
    const protectedAuthors = isStaff(role)
      ? snapshot.reader
          .roles()
          .filter((entry) => rankOf(entry.role) > rankOf(role))
          .map((entry) => entry.user.id)
      : [];
    return client.roomAppend(
      keys.dedupe(request.actor.id, request.clientMsgId),
      keys.seq(request.room),
      ...historyKeyList(history),
      access.version,
      history.mentions,
      keys.roomMembers(request.room),
      request.kind,
      targetOf(request) ?? "",
      request.actor.id,
      now,
      head,
      tail,
      text,
      request.kind === "edit" ? (request.editWindowMs ?? "") : "",
      request.kind === "react" ? request.emoji : "",
      request.kind === "react" && request.on ? "1" : "0",
      DEFAULT_LIMITS.maxReactionEmoji,
      DEFAULT_LIMITS.reactionUsersListed,
      this.options.streamMaxLen,
      this.options.dedupeTtlSeconds,
      keys.channel(request.room),
      JSON.stringify(this.options.nodeId),
      history.reactorsPrefix,
      JSON.stringify(request.room),
      snapshot.version,
      meta?.slowModeMs ?? 0,
      isStaff(role) ? "1" : "0",
      access.lastChat,
      isStaff(role) ? "staff" : "author",
      fragment,
      mentionedIds.length,
      roomRule,
      ...mentionedIds,
      ...protectedAuthors,
    );
  }

  async latestSeq(room: string): Promise<number> {
    const value = await this.options.client.get(this.options.keys.seq(room));
    return value === null ? 0 : Number(value);
  }

  async latestChats(room: string, upTo: number, limit: number): Promise<LatestChatsResult> {
    const { messages, hasOlder } = await this.chatsBefore(room, upTo + 1, limit);
    return { messages, complete: !hasOlder };
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const after = Math.max(0, query.after);
    if (after >= query.upTo || query.limit <= 0) return { messages: [], complete: after >= query.upTo };
    const { events, first, last, floor } = await this.read(room, ["newest", after, query.upTo, query.limit]);
    // Complete unless `limit` cut off older events that are still kept.
    return { messages: events, complete: first > last || first === after + 1 || first <= floor };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    return this.chatsBefore(room, before, limit);
  }

  async after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult> {
    const start = Math.max(0, after);
    if (start >= upTo || limit <= 0) return { messages: [], hasNewer: start < upTo };
    const { events, last, latest } = await this.read(room, ["oldest", start, upTo, limit]);
    return { messages: events, hasNewer: last < Math.min(upTo, latest) };
  }

  async around(room: string, seq: number, upTo: number, limit: number): Promise<AroundPageResult> {
    const { olderBelow, newerAfter } = aroundBounds(seq, upTo);
    const older = olderBelow <= 1 ? [] : (await this.read(room, ["chats", olderBelow, limit + 1])).events.reverse();
    const newer = newerAfter >= upTo ? [] : (await this.read(room, ["chatsafter", newerAfter, upTo, limit + 1])).events;
    return aroundPage(older as ChatFrame[], newer as ChatFrame[], limit);
  }

  /** The newest `limit` chats below `before`, oldest first; one more tells whether older ones exist. */
  private async chatsBefore(room: string, before: number, limit: number): Promise<PageResult> {
    // A limit of 0 still reads one row: whether older chats exist (WELCOME_LATEST=0).
    if (before <= 1) return { messages: [], hasOlder: false };
    const { events } = await this.read(room, ["chats", before, limit + 1]);
    const hasOlder = events.length > limit;
    const messages = events.slice(0, limit).reverse() as ChatFrame[];
    return { messages, hasOlder };
  }

  /** One READ_LUA call (see there for `what`): the events read, as they stand, in the order read, and the bounds. */
  private async read(room: string, what: Array<string | number>): Promise<ReadResult> {
    if (!this.options.isOpen()) throw new BackendClosedError();
    const { client, keys } = this.options;
    const history = keys.history(room);
    const flat = await client.roomRead(...historyKeyList(history), keys.seq(room), history.mentions, ...what);
    const [floor, latest, first, last, count] = flat.slice(0, 5).map(Number) as [number, number, number, number, number];
    const parts = new Map<number, StoredParts>();
    const order: number[] = [];
    for (let i = 5; i + 4 < flat.length; i += 5) {
      const seq = Number(flat[i]);
      parts.set(seq, {
        log: String(flat[i + 1]),
        text: nullable(flat[i + 2]),
        state: nullable(flat[i + 3]),
        mentions: nullable(flat[i + 4]),
      });
      if (order.length < count) order.push(seq);
    }
    const events: StoredEvent[] = [];
    for (const seq of order) {
      const event = eventFromParts(seq, parts);
      if (event) events.push(event);
    }
    return { events, floor, latest, first, last };
  }
}

interface ReadResult {
  events: StoredEvent[];
  /** The oldest seq kept. */
  floor: number;
  latest: number;
  /** The range read, for "newest" and "oldest". */
  first: number;
  last: number;
}

function historyKeyList(history: HistoryKeys): HistoryKeyList {
  return [history.eventLog, history.texts, history.chats, history.chatSeqs, history.floor];
}

function nullable(value: string | number | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * The event as APPEND_LUA stores it, split around its seq (which only the script knows), and its
 * text apart as a JSON literal: the log never holds a text, so a delete can remove them all.
 * `type` and `room` come first and cannot contain a quote, so `"seq":` is found by position.
 */
function eventJson(
  request: Exclude<ChangeRequest, { kind: "moderate" }>,
  ts: number,
  nextMessageId: () => string,
): { head: string; tail: string; text: string } {
  const from = { id: request.actor.id, name: request.actor.name };
  const common = { room: request.room, seq: 0 };
  let event: object;
  let text = "";
  switch (request.kind) {
    case "chat":
      event = { type: "chat", ...common, id: nextMessageId(), from, ts, clientMsgId: request.clientMsgId };
      text = JSON.stringify(request.text);
      break;
    case "edit":
      event = { type: "edit", ...common, ts, target: request.target, by: from, clientMsgId: request.clientMsgId };
      text = JSON.stringify(request.text);
      break;
    case "delete":
      event = { type: "delete", ...common, ts, target: request.target, by: from, clientMsgId: request.clientMsgId };
      break;
    case "react":
      event = {
        type: "reaction",
        ...common,
        ts,
        target: request.target,
        emoji: request.emoji,
        on: request.on,
        by: from,
        clientMsgId: request.clientMsgId,
      };
      break;
  }
  const json = JSON.stringify(event);
  const marker = '"seq":0';
  const at = json.indexOf(marker);
  return { head: json.slice(0, at + marker.length - 1), tail: json.slice(at + marker.length), text };
}
