import type { ReactionSummary, User } from "@chatroom/protocol";
import { chatFrameOf, type MentionFields, mentionFieldsOf, type ReplyTarget, type StoredChat } from "../chat-state";
import type { StoredEvent } from "../message-store";
import { storedEventSchema } from "../room-bus";

/**
 * Turns what the Redis scripts keep and publish (event-scripts.ts) back into protocol events:
 * for a page, a seq's parts as READ_LUA returns them; for the live stream, the payload
 * APPEND_LUA publishes, which every node (the appending one included) reads the same way.
 */

/** One seq's stored parts: the event without its text, the text as a JSON literal, a chat's state, its mention fields as a JSON fragment. */
export interface StoredParts {
  log: string;
  text: string | null;
  state: string | null;
  mentions: string | null;
}

/** A chat's state as APPEND_LUA keeps it (cjson writes an empty list as `{}`). */
interface ChatState {
  r: number;
  e?: number;
  d?: number;
  p?: number;
  x?: Array<{ e: string; c: number; u: string[] | Record<string, never> }>;
}

/** The event's JSON as JavaScript wrote it, with its text put back where there is one. */
interface Logged {
  type: StoredEvent["type"];
  room: string;
  seq: number;
  id: string;
  from: User;
  ts: number;
  clientMsgId: string;
  target: number;
  text?: string;
  emoji: string;
  on: boolean;
  by: User;
  /** In what APPEND_LUA publishes (never in the log: they are kept apart, like texts). */
  mentions?: User[];
  mentionsRoom?: true;
}

/** The mention fields a stored fragment holds (`"mentions":[...],"mentionsRoom":true`), or none. */
function mentionsOf(fragment: string | null): MentionFields {
  return fragment === null ? {} : mentionFieldsOf(JSON.parse(`{${fragment}}`) as MentionFields);
}

/** The event at `seq` as it stands, from the parts READ_LUA returned; undefined when not kept. */
export function eventFromParts(seq: number, parts: ReadonlyMap<number, StoredParts>): StoredEvent | undefined {
  const own = parts.get(seq);
  if (!own) return undefined;
  const logged = { ...withText(own), ...mentionsOf(own.mentions) };
  if (logged.type !== "chat") return toEvent(logged);
  const state = JSON.parse(own.state ?? "null") as ChatState | null;
  if (!state) return undefined;
  const chat = storedChat(logged, state.r);
  if (state.e !== undefined) chat.edited = { ts: state.e };
  if (state.d !== undefined) {
    const deletion = parts.get(state.d);
    const by = deletion ? (JSON.parse(deletion.log) as Logged).by : { id: "", name: "" };
    chat.deleted = { by, ts: deletion ? (JSON.parse(deletion.log) as Logged).ts : 0 };
  }
  if (state.x) chat.reactions = state.x.map(reactionOf);
  let target: ReplyTarget | undefined;
  if (state.p !== undefined) {
    chat.replyTo = state.p;
    const quoted = parts.get(state.p);
    target = quoted && withText(quoted);
  }
  return storedEventSchema.parse(chatFrameOf(chat, target, { live: false }));
}

/** What APPEND_LUA published: the node it came from and the event as sent. */
export function eventFromPublished(payload: string): { origin: string; event: StoredEvent } {
  const published = JSON.parse(payload) as { origin: string; event: Logged; quoted?: { seq: number; chat: Logged; text: string } };
  const { event, quoted } = published;
  if (event.type !== "chat") return { origin: published.origin, event: toEvent(event) };
  const chat = storedChat(event, event.seq);
  if (quoted) chat.replyTo = quoted.seq;
  const target = quoted && { from: quoted.chat.from, text: quoted.text };
  return { origin: published.origin, event: storedEventSchema.parse(chatFrameOf(chat, target, { live: true })) };
}

function withText(parts: StoredParts): Logged {
  const logged = JSON.parse(parts.log) as Logged;
  if (parts.text !== null) logged.text = JSON.parse(parts.text) as string;
  return logged;
}

function storedChat(logged: Logged, rev: number): StoredChat {
  const chat: StoredChat = {
    room: logged.room,
    seq: logged.seq,
    id: logged.id,
    from: logged.from,
    ts: logged.ts,
    clientMsgId: logged.clientMsgId,
    rev,
  };
  if (logged.text !== undefined) chat.text = logged.text;
  Object.assign(chat, mentionFieldsOf(logged));
  return chat;
}

/** An edit, deletion, reaction or moderation, with its keys in the protocol's order and nothing else. */
function toEvent(logged: Logged): StoredEvent {
  // A moderation event is stored whole, as JavaScript wrote it (it has no text to purge).
  if (logged.type === "moderation") return storedEventSchema.parse(logged);
  const { room, seq, ts, target, by, clientMsgId } = logged;
  if (logged.type === "edit") {
    return storedEventSchema.parse({
      type: "edit",
      room,
      seq,
      ts,
      target,
      ...(logged.text === undefined ? {} : { text: logged.text }),
      by,
      clientMsgId,
      ...mentionFieldsOf(logged),
    });
  }
  if (logged.type === "delete") return storedEventSchema.parse({ type: "delete", room, seq, ts, target, by, clientMsgId });
  return storedEventSchema.parse({ type: "reaction", room, seq, ts, target, emoji: logged.emoji, on: logged.on, by, clientMsgId });
}

function reactionOf(entry: { e: string; c: number; u: string[] | Record<string, never> }): ReactionSummary {
  return { emoji: entry.e, count: entry.c, users: Array.isArray(entry.u) ? entry.u : [] };
}
