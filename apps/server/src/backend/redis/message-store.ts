import { chatFrameSchema } from "@chatroom/protocol";
import type { Redis } from "ioredis";
import { BackendClosedError } from "../backend-closed-error";
import { createMessageIds } from "../message-ids";
import type {
  AppendRequest,
  AppendResult,
  MessageStore,
  NewerPageResult,
  PageResult,
  RangeQuery,
  RangeResult,
  StoredEvent,
} from "../message-store";
import type { RedisKeys } from "./keys";
import { APPEND_LUA } from "./scripts";

type StreamEntry = [id: string, fields: string[]];

interface AppendCommand {
  chatAppend(
    dedupeKey: string,
    seqKey: string,
    streamKey: string,
    head: string,
    tail: string,
    maxLen: number,
    ttl: number,
    channel: string,
    origin: string,
  ): Promise<[number, string]>;
}

export type AppendClient = Redis & AppendCommand;

/** Registers the append script on a connection. */
export function defineAppendCommand(client: Redis): AppendClient {
  client.defineCommand("chatAppend", { numberOfKeys: 3, lua: APPEND_LUA });
  return client as AppendClient;
}

export interface RedisMessageStoreOptions {
  client: AppendClient;
  keys: RedisKeys;
  nodeId: string;
  streamMaxLen: number;
  dedupeTtlSeconds: number;
  now: () => number;
  isOpen: () => boolean;
}

/**
 * Each room is a counter plus a Stream whose entry ids are the seqs, so history reads are id
 * ranges. A send is one Lua script (dedupe, INCR, XADD, PUBLISH), so seqs are dense and ordered
 * across nodes and the fan-out can never be lost between the append and a crash.
 */
export class RedisMessageStore implements MessageStore {
  private readonly nextMessageId: () => string;

  constructor(private readonly options: RedisMessageStoreOptions) {
    this.nextMessageId = createMessageIds(options.nodeId);
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    const { client, keys } = this.options;
    if (!this.options.isOpen()) throw new BackendClosedError();
    const draft: StoredEvent = {
      type: "chat",
      room: request.room,
      seq: 0,
      id: this.nextMessageId(),
      from: { id: request.from.id, name: request.from.name },
      text: request.text,
      ts: this.options.now(),
      clientMsgId: request.clientMsgId,
    };
    // `type` and `room` precede `seq` and cannot contain a quote, so this marker is the seq field.
    const json = JSON.stringify(draft);
    const marker = '"seq":0';
    const at = json.indexOf(marker);
    const head = json.slice(0, at + marker.length - 1);
    const tail = json.slice(at + marker.length);
    const [duplicate, stored] = await client.chatAppend(
      keys.dedupe(request.from.id, request.clientMsgId),
      keys.seq(request.room),
      keys.stream(request.room),
      head,
      tail,
      this.options.streamMaxLen,
      this.options.dedupeTtlSeconds,
      keys.channel(request.room),
      this.options.nodeId,
    );
    return { message: chatFrameSchema.parse(JSON.parse(stored)), duplicate: duplicate === 1 };
  }

  async latestSeq(room: string): Promise<number> {
    const value = await this.options.client.get(this.options.keys.seq(room));
    return value === null ? 0 : Number(value);
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const after = Math.max(0, query.after);
    if (after >= query.upTo || query.limit <= 0) return { messages: [], complete: after >= query.upTo };
    const stream = this.options.keys.stream(room);
    const [newest, oldest] = await Promise.all([
      this.options.client.xrevrange(stream, `${query.upTo}-0`, `${after + 1}-0`, "COUNT", query.limit) as Promise<StreamEntry[]>,
      this.oldestSeq(room),
    ]);
    const messages = newest.reverse().map(toEvent);
    const first = messages[0];
    // Complete unless `limit` cut off older messages that are still in the stream.
    const complete = first === undefined || first.seq === after + 1 || first.seq <= oldest;
    return { messages, complete };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    if (before <= 1 || limit <= 0) return { messages: [], hasOlder: false };
    const [newest, oldest] = await Promise.all([
      this.options.client.xrevrange(this.options.keys.stream(room), `${before - 1}-0`, "-", "COUNT", limit) as Promise<StreamEntry[]>,
      this.oldestSeq(room),
    ]);
    const messages = newest.reverse().map(toEvent);
    const first = messages[0];
    return { messages, hasOlder: first !== undefined && first.seq > oldest };
  }

  async after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult> {
    const start = Math.max(0, after);
    if (start >= upTo || limit <= 0) return { messages: [], hasNewer: start < upTo };
    const stream = this.options.keys.stream(room);
    // One entry past the page tells whether there is more, without counting the rest.
    const entries = (await this.options.client.xrange(stream, `${start + 1}-0`, `${upTo}-0`, "COUNT", limit + 1)) as StreamEntry[];
    const hasNewer = entries.length > limit;
    if (hasNewer) entries.pop();
    return { messages: entries.map(toEvent), hasNewer };
  }

  /** The stream is trimmed (MAXLEN ~), so its first entry is the oldest event still kept. */
  private async oldestSeq(room: string): Promise<number> {
    const entries = (await this.options.client.xrange(this.options.keys.stream(room), "-", "+", "COUNT", 1)) as StreamEntry[];
    const first = entries[0];
    return first === undefined ? 0 : seqOf(first[0]);
  }
}

function toEvent(entry: StreamEntry): StoredEvent {
  const [, fields] = entry;
  const index = fields.indexOf("m");
  return chatFrameSchema.parse(JSON.parse(fields[index + 1] ?? "null"));
}

function seqOf(id: string): number {
  return Number(id.slice(0, id.indexOf("-")));
}
