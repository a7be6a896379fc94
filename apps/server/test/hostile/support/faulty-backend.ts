import type { NotifyLevel } from "@chatroom/protocol";
import type { RoomAccessStore } from "../../../src/backend/access-store";
import type { Backend } from "../../../src/backend/backend";
import type { ClusterPresence } from "../../../src/backend/cluster-presence";
import type { JoinOptions, MembershipStore } from "../../../src/backend/membership-store";
import type { MessageSearch } from "../../../src/backend/message-search";
import type { AppendResult, ChangeRequest, MessageStore, PageResult, RangeQuery, RangeResult } from "../../../src/backend/message-store";
import type { RoomBus } from "../../../src/backend/room-bus";
import type { SessionRecord, SessionStore } from "../../../src/backend/session-store";
import type { SettingStore } from "../../../src/backend/setting-store";
import type { AdminKeyStore } from "../../../src/security/admin-key";

type Fault = () => Error;

/**
 * A backend that delegates to a real one until a test arms a fault. `append` faults reject like a
 * failing store (disk full, SQLITE_BUSY); `throwSync` faults throw synchronously, like a bug in a
 * handler, so tests can prove neither escapes a connection.
 */
export class FaultyBackend implements Backend {
  appendFault: Fault | null = null;
  readonly throwSync = new Set<"before" | "after" | "saveSession" | "range" | "joinMembership" | "markRead">();
  appendCalls = 0;
  readonly messages: MessageStore;
  readonly sessions: SessionStore;
  readonly memberships: MembershipStore;

  constructor(private readonly inner: Backend) {
    const messages = inner.messages;
    const sessions = inner.sessions;
    this.messages = {
      append: async (request: ChangeRequest): Promise<AppendResult> => {
        this.appendCalls++;
        if (this.appendFault) throw this.appendFault();
        return messages.append(request);
      },
      latestSeq: (room: string) => messages.latestSeq(room),
      latestSeqs: (rooms: readonly string[]) => messages.latestSeqs(rooms),
      // "range" stands for the history a joined is built from: the newest chats, or a range after `since`.
      latestChats: (room: string, upTo: number, limit: number): ReturnType<MessageStore["latestChats"]> => {
        if (this.throwSync.has("range")) throw new TypeError("injected: range exploded");
        return messages.latestChats(room, upTo, limit);
      },
      range: (room: string, query: RangeQuery): Promise<RangeResult> => {
        if (this.throwSync.has("range")) throw new TypeError("injected: range exploded");
        return messages.range(room, query);
      },
      before: (room: string, before: number, limit: number): Promise<PageResult> => {
        if (this.throwSync.has("before")) throw new TypeError("injected: cannot read properties of undefined (reading 'rows')");
        return messages.before(room, before, limit);
      },
      after: (room: string, after: number, upTo: number, limit: number): ReturnType<MessageStore["after"]> => {
        if (this.throwSync.has("after")) throw new TypeError("injected: cannot read properties of undefined (reading 'rows')");
        return messages.after(room, after, upTo, limit);
      },
      around: (room: string, seq: number, upTo: number, limit: number) => messages.around(room, seq, upTo, limit),
    };
    this.sessions = {
      get: (token: string) => sessions.get(token),
      save: (token: string, record: SessionRecord): Promise<void> => {
        if (this.throwSync.has("saveSession")) throw new RangeError("injected: session table is corrupt");
        return sessions.save(token, record);
      },
    };
    const memberships = inner.memberships;
    this.memberships = {
      join: (userId: string, room: string, options: JoinOptions) => {
        if (this.throwSync.has("joinMembership")) throw new RangeError("injected: membership table is corrupt");
        return memberships.join(userId, room, options);
      },
      leave: (userId: string, room: string) => memberships.leave(userId, room),
      readSeq: (userId: string, room: string) => memberships.readSeq(userId, room),
      list: (userId: string) => memberships.list(userId),
      membership: (userId: string, room: string, upTo?: number) => memberships.membership(userId, room, upTo),
      setNotify: (userId: string, room: string, level: NotifyLevel) => memberships.setNotify(userId, room, level),
      memberCount: (room: string) => memberships.memberCount(room),
      markRead: (userId: string, room: string, seq: number) => {
        if (this.throwSync.has("markRead")) throw new RangeError("injected: SQLITE_CORRUPT at /var/lib/chatroom/chat.db");
        return memberships.markRead(userId, room, seq);
      },
    };
  }

  get search(): MessageSearch {
    return this.inner.search;
  }

  get access(): RoomAccessStore {
    return this.inner.access;
  }

  get kind(): string {
    return `faulty-${this.inner.kind}`;
  }

  get nodeId(): string {
    return this.inner.nodeId;
  }

  get sharedLog(): boolean {
    return this.inner.sharedLog;
  }

  get bus(): RoomBus {
    return this.inner.bus;
  }

  get adminKey(): AdminKeyStore {
    return this.inner.adminKey;
  }

  get addressSecret(): SettingStore {
    return this.inner.addressSecret;
  }

  get presence(): ClusterPresence | undefined {
    return this.inner.presence;
  }

  isReady(): Promise<boolean> {
    return this.inner.isReady();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** An error shaped like better-sqlite3's, so the message that must not leak is realistic. */
export function sqliteError(code: "SQLITE_FULL" | "SQLITE_BUSY" | "SQLITE_READONLY"): Fault {
  const text = {
    SQLITE_FULL: "database or disk is full",
    SQLITE_BUSY: "database is locked",
    SQLITE_READONLY: "attempt to write a readonly database",
  }[code];
  return () => Object.assign(new Error(`${code}: ${text} at /var/lib/chatroom/chat.db`), { code });
}
