import { accessSync, constants, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { AccessOperations } from "../access-store";
import type { Backend } from "../backend";
import { localRoomBus } from "../local-room-bus";
import { SETTING_NAMES } from "../setting-store";
import { SqliteAccessState } from "./access-state";
import { GroupCommit } from "./group-commit";
import { SqliteMembershipStore } from "./membership-store";
import { SqliteMessageSearch, type SqliteSearchBounds } from "./message-search";
import { SqliteMessageStore } from "./message-store";
import { migrate } from "./schema";
import { SqliteSearchIndexer } from "./search-indexer";
import { SqliteSessionStore } from "./session-store";
import { SqliteSetting } from "./setting-store";

/** The store cannot be opened: the message says why and what to do. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

export interface SqliteBackendOptions {
  nodeId: string;
  dataDir: string;
  /**
   * FULL (default) fsyncs the WAL on every commit, so an acked message survives power loss.
   * NORMAL survives a process crash but may lose the last commits on an OS crash.
   */
  synchronous?: "FULL" | "NORMAL";
  now?: () => number;
  /**
   * Search's read bounds (SEARCH_DEFAULTS); tests lower them to walk the indexes on a small corpus.
   * `indexer: "manual"` leaves the backlog to `searchIndexer.catchUp()` (tests that pin what is indexed).
   */
  search?: Partial<SqliteSearchBounds> & { indexer?: "idle" | "manual" };
  /** Failures of background work (the search indexer), which has no request to answer. */
  onError?: (error: unknown, context: string) => void;
}

/**
 * The single-node default: history, sessions and memberships in one SQLite file under DATA_DIR,
 * in WAL mode, written through one group commit.
 */
export class SqliteBackend implements Backend {
  readonly kind = "sqlite";
  /** One node writes the file (through its group commit): nobody else appends. */
  readonly sharedLog = false;
  readonly messages: SqliteMessageStore;
  readonly search: SqliteMessageSearch;
  /** Indexes appended chats while the store is idle (migration 7's backlog). */
  readonly searchIndexer: SqliteSearchIndexer;
  readonly sessions: SqliteSessionStore;
  readonly memberships: SqliteMembershipStore;
  readonly access: AccessOperations;
  readonly bus = localRoomBus;
  readonly adminKey: SqliteSetting;
  readonly addressSecret: SqliteSetting;
  private readonly commit: GroupCommit;
  private closed = false;

  readonly nodeId: string;

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    options: SqliteBackendOptions,
  ) {
    const { nodeId, now = Date.now, search = {}, onError } = options;
    this.nodeId = nodeId;
    this.commit = new GroupCommit(db);
    this.messages = new SqliteMessageStore({ db, commit: this.commit, access: new SqliteAccessState(db), nodeId, now });
    this.access = new AccessOperations(this.messages);
    const { indexer = "idle", ...bounds } = search;
    this.search = new SqliteMessageSearch({ db, ...bounds });
    this.searchIndexer = new SqliteSearchIndexer({ db, writesWaiting: () => this.commit.hasQueued(), ...(onError ? { onError } : {}) });
    if (indexer === "idle") {
      this.commit.onCommit(() => this.searchIndexer.wake());
      // Chats queued before a restart (or by migration 7, for a file that had chats before it).
      this.searchIndexer.wake();
    }
    this.sessions = new SqliteSessionStore({ db, commit: this.commit, now });
    this.memberships = new SqliteMembershipStore({ db, commit: this.commit, isOpen: () => !this.closed });
    this.adminKey = new SqliteSetting(db, SETTING_NAMES.adminKeyHash);
    this.addressSecret = new SqliteSetting(db, SETTING_NAMES.addressSecret);
  }

  /** Opens (creating and migrating as needed) the database, or fails with a message that says why. */
  static open(options: SqliteBackendOptions): SqliteBackend {
    const dir = resolve(options.dataDir);
    const file = join(dir, "chat.db");
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (error) {
      throw new StoreError(`DATA_DIR ${dir} is not a writable directory: ${(error as Error).message}`, { cause: error });
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(file);
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
      db.pragma("busy_timeout = 5000");
      // Deleted means gone: the bytes of a deleted or overwritten text are zeroed, not left in free space.
      db.pragma("secure_delete = ON");
      migrate(db);
      const check = db.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(`integrity check failed: ${String(check)}`);
    } catch (error) {
      db?.close();
      throw new StoreError(
        `cannot open the message store ${file}: ${(error as Error).message}. Nothing was changed; restore the file from a backup or move it away to start empty.`,
        { cause: error },
      );
    }
    return new SqliteBackend(db, file, options);
  }

  async isReady(): Promise<boolean> {
    if (this.closed) return false;
    try {
      this.db.prepare("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  }

  /** Commits what is pending first, so every write that was accepted is kept. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.commit.close();
    // What is left of the backlog is indexed after the next start, as it is after a crash.
    this.searchIndexer.stop();
    this.closed = true;
    this.db.close();
  }
}
