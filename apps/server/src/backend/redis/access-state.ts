import type { Redis } from "ioredis";
import { ACCESS_KINDS, type AccessKind, layoutReader, layoutWrites } from "../access-layout";
import type { AccessStep } from "../access-ops";
import type { AccessReader, AccessWrite } from "../access-state";
import type { AccessResult, AccessRunner, Dedupe } from "../access-store";
import { BackendClosedError } from "../backend-closed-error";
import type { StoredEvent } from "../message-store";
import { type ModerationBody, moderationEventOf } from "../moderation-event";
import { ACCESS_LUA, READ_ACCESS_LUA } from "./access-scripts";
import type { RedisKeys } from "./keys";
import { eventFromPublished } from "./stored-events";

type AccessReply = [status: "stale"] | [status: "dup", sent: string] | [status: "ok", sent: string, ...published: string[]];

interface AccessCommands {
  roomAccessRead(version: string, seq: string, present: string, ...args: string[]): Promise<[number, number, number, ...string[][]]>;
  roomAccess(
    dedupe: string,
    seq: string,
    eventLog: string,
    version: string,
    present: string,
    ...args: Array<string | number>
  ): Promise<AccessReply>;
}

export type AccessClient = Redis & AccessCommands;

export function defineAccessCommands(client: Redis): AccessClient {
  client.defineCommand("roomAccessRead", { numberOfKeys: 3, lua: READ_ACCESS_LUA });
  client.defineCommand("roomAccess", { numberOfKeys: 5, lua: ACCESS_LUA });
  return client as AccessClient;
}

/** A room's access state as one script read it, at `version`. */
export interface AccessSnapshot {
  version: number;
  reader: AccessReader;
}

/** How many times a step is decided again on a fresh snapshot before giving up (each retry means another node changed the room). */
const MAX_ATTEMPTS = 20;

export interface RedisAccessOptions {
  client: AccessClient;
  keys: RedisKeys;
  nodeId: string;
  dedupeTtlSeconds: number;
  now: () => number;
  isOpen: () => boolean;
}

/**
 * The access state of rooms in Redis, and the access steps: decide on a snapshot (cached per room
 * until a script says it is stale), then apply in ACCESS_LUA, which checks the version in the
 * same atomic step that appends the events. Chats use the same snapshots for their gate, and
 * APPEND_LUA checks the same version (message-store.ts).
 */
export class RedisAccessState implements AccessRunner {
  private readonly snapshots = new Map<string, AccessSnapshot>();

  constructor(private readonly options: RedisAccessOptions) {}

  /** The cached snapshot of `room`, or a fresh one. */
  async snapshot(room: string, options: { fresh?: boolean } = {}): Promise<AccessSnapshot> {
    const cached = options.fresh ? undefined : this.snapshots.get(room);
    if (cached) return cached;
    const { client, keys } = this.options;
    const access = keys.access(room);
    const [version, latestSeq, present, ...kinds] = await client.roomAccessRead(
      access.version,
      keys.seq(room),
      access.presentUsers,
      access.kindPrefix,
      ...ACCESS_KINDS,
    );
    const entries = new Map<AccessKind, Map<string, string>>();
    ACCESS_KINDS.forEach((kind, index) => {
      const flat = kinds[index] ?? [];
      const map = new Map<string, string>();
      for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i] as string, flat[i + 1] as string);
      entries.set(kind, map);
    });
    const reader = layoutReader({
      get: (kind, key) => entries.get(kind)?.get(key),
      list: (kind) => [...(entries.get(kind)?.keys() ?? [])].sort().map((key) => entries.get(kind)?.get(key) as string),
      hasEventsOrMembers: () => latestSeq > 0 || present > 0,
    });
    const snapshot = { version: Number(version), reader };
    this.snapshots.set(room, snapshot);
    return snapshot;
  }

  /** A script found the snapshot stale: the next decision reads afresh. */
  forget(room: string): void {
    this.snapshots.delete(room);
  }

  async runAccess<T>(
    room: string,
    dedupe: Dedupe | undefined,
    decide: (reader: AccessReader, now: number) => AccessStep<T>,
  ): Promise<AccessResult<T>> {
    const { client, keys } = this.options;
    if (!this.options.isOpen()) throw new BackendClosedError();
    const dedupeKey = dedupe ? keys.dedupe(dedupe.userId, dedupe.clientMsgId) : keys.key("no-dedupe");
    // Dedupe comes first: a resend must not be decided again on a state its original changed.
    if (dedupe) {
      const original = await client.get(dedupeKey);
      if (original !== null) return { ok: true, duplicate: true, ack: ackOf(original) };
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const snapshot = await this.snapshot(room, { fresh: attempt > 0 });
      const now = this.options.now();
      let askedExists = false;
      const reader: AccessReader = {
        ...snapshot.reader,
        exists: () => {
          askedExists = true;
          return snapshot.reader.exists();
        },
      };
      const step = decide(reader, now);
      if (!step.ok) {
        // A refusal on a cached snapshot may be stale (an unban on another node): decide once more on a fresh one.
        if (attempt === 0) continue;
        return step;
      }
      const reply = await client.roomAccess(
        dedupeKey,
        keys.seq(room),
        keys.history(room).eventLog,
        keys.access(room).version,
        keys.access(room).presentUsers,
        // A decision that the room does not exist yet is proven by the script too.
        `${snapshot.version}${askedExists ? "!" : ""}`,
        dedupe ? "1" : "0",
        this.options.dedupeTtlSeconds,
        now,
        JSON.stringify(room),
        keys.channel(room),
        JSON.stringify(this.options.nodeId),
        step.events.length,
        ...step.events.flatMap((body) => eventParts(room, now, body)),
        ...this.writeArgs(room, step.writes),
      );
      if (reply[0] === "stale") {
        this.forget(room);
        continue;
      }
      if (reply[0] === "dup") return { ok: true, duplicate: true, ack: ackOf(reply[1]) };
      if (step.writes.length > 0) this.forget(room);
      const events: StoredEvent[] = reply.slice(2).map((published) => eventFromPublished(published).event);
      return { ok: true, duplicate: false, ack: ackOf(reply[1]), value: step.value, events };
    }
    throw new Error(`the access state of room ${JSON.stringify(room)} kept changing under ${MAX_ATTEMPTS} attempts`);
  }

  /** The writes as ACCESS_LUA's quadruples. */
  private writeArgs(room: string, writes: readonly AccessWrite[]): string[] {
    const { keys } = this.options;
    const prefix = keys.access(room).kindPrefix;
    const { entries, forgetMemberships } = layoutWrites(writes);
    const args: string[] = [];
    for (const entry of entries) {
      if (entry.value === null) args.push("hdel", prefix + entry.kind, entry.key, "");
      else args.push("hset", prefix + entry.kind, entry.key, entry.value);
    }
    for (const userId of forgetMemberships) {
      args.push("hdel", keys.memberships(userId), room, "");
      // The room's side of the membership (membership-store.ts): its level and the member count.
      args.push("hdel", keys.roomMembers(room), userId, "");
    }
    return args;
  }
}

function ackOf(sent: string): { room: string; seq: number; ts: number } {
  const parsed = JSON.parse(sent) as { room: string; seq: number; ts: number };
  return { room: parsed.room, seq: parsed.seq, ts: parsed.ts };
}

/** The event's JSON split around its seq, which only the script knows (as message-store.ts's `eventJson`). */
function eventParts(room: string, ts: number, body: ModerationBody): [string, string] {
  const json = JSON.stringify(moderationEventOf(room, 0, ts, body));
  const marker = '"seq":0';
  const at = json.indexOf(marker);
  return [json.slice(0, at + marker.length - 1), json.slice(at + marker.length)];
}
