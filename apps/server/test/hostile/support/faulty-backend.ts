import type {
  AppendRequest,
  AppendResult,
  Backend,
  PageResult,
  RangeQuery,
  RangeResult,
  RoomEvent,
  RoomEventListener,
  SessionRecord,
} from "../../../src/backend/backend";

type Fault = () => Error;

/**
 * A backend that delegates to a real one until a test arms a fault. `append` faults reject like a
 * failing store (disk full, SQLITE_BUSY); `throwSync` faults throw synchronously, like a bug in a
 * handler, so tests can prove neither escapes a connection.
 */
export class FaultyBackend implements Backend {
  appendFault: Fault | null = null;
  readonly throwSync = new Set<"before" | "saveSession" | "range">();
  appendCalls = 0;

  constructor(private readonly inner: Backend) {}

  get kind(): string {
    return `faulty-${this.inner.kind}`;
  }

  get nodeId(): string {
    return this.inner.nodeId;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    this.appendCalls++;
    if (this.appendFault) throw this.appendFault();
    return this.inner.append(request);
  }

  latestSeq(room: string): Promise<number> {
    return this.inner.latestSeq(room);
  }

  range(room: string, query: RangeQuery): Promise<RangeResult> {
    if (this.throwSync.has("range")) throw new TypeError("injected: range exploded");
    return this.inner.range(room, query);
  }

  before(room: string, before: number, limit: number): Promise<PageResult> {
    if (this.throwSync.has("before")) throw new TypeError("injected: cannot read properties of undefined (reading 'rows')");
    return this.inner.before(room, before, limit);
  }

  getSession(token: string): Promise<SessionRecord | undefined> {
    return this.inner.getSession(token);
  }

  saveSession(token: string, record: SessionRecord): Promise<void> {
    if (this.throwSync.has("saveSession")) throw new RangeError("injected: session table is corrupt");
    return this.inner.saveSession(token, record);
  }

  subscribe(room: string, listener: RoomEventListener): Promise<() => Promise<void>> {
    return this.inner.subscribe(room, listener);
  }

  publish(room: string, event: RoomEvent): Promise<void> {
    return this.inner.publish(room, event);
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
