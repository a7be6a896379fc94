import type pg from "pg";
import { AccessOperations } from "../access-store";
import type { Backend } from "../backend";
import type { ClusterPresence } from "../cluster-presence";
import { localRoomBus } from "../local-room-bus";
import type { MessageSearch } from "../message-search";
import type { StoredEvent } from "../message-store";
import type { RoomBus } from "../room-bus";
import { SETTING_NAMES } from "../setting-store";
import { withConnectHint } from "./connect-hint";
import { PgMembershipStore } from "./membership-store";
import { PgMessageSearch } from "./message-search";
import { PgMessageStore } from "./message-store";
import { migrate } from "./migrate";
import { createPgPool } from "./pool";
import { PgSearchIndexer, type PgSearchIndexerOptions } from "./search-indexer";
import { PgSessionStore } from "./session-store";
import { PgSetting } from "./setting-store";
import { TickCommit } from "./tick-commit";

/** How the nodes of a deployment hear each other: absent on a single node (the local bus). */
export interface PgTraffic {
  bus: RoomBus;
  presence?: ClusterPresence;
  /** Tells the other nodes what a tick stored; called after COMMIT, before the acks. */
  publish(events: readonly StoredEvent[]): void;
  close(): Promise<void>;
}

/**
 * Faults a test arms to play a failure the real parts cannot be made to have on cue. Only tests
 * set these: `createBackend` never does and no configuration variable reaches them.
 */
export interface PgFaults {
  /**
   * After a tick's COMMIT, before its events go to the other nodes: "drop" publishes none of them,
   * as a node that dies between its COMMIT and its PUBLISH (the others must still find them).
   */
  beforePublish?(events: readonly StoredEvent[]): "drop" | "publish";
}

export interface PgBackendOptions {
  nodeId: string;
  /** DATABASE_URL. Never logged: it may hold a password. */
  url: string;
  /** Connections this node holds at most (reads, the tick's writer, memberships and sessions). */
  poolMax?: number;
  now?: () => number;
  /** The cross-node bus and presence (Redis); without it, one node. */
  traffic?: PgTraffic;
  /** Tests only: failures to play on cue (`PgFaults`); never set in production. */
  faults?: PgFaults;
  /** Tests: a search with other bounds over the backend's pool (default: `PgMessageSearch` at SEARCH_DEFAULTS). */
  search?: (pool: pg.Pool) => MessageSearch;
  /**
   * The search indexer (search-indexer.ts): "after-commits" (default) drains the backlog after
   * every commit and at open; "manual" leaves it to `searchIndexer.catchUp()` (tests that pin
   * what is indexed). Options (slice, delay) default to SEARCH_DEFAULTS.
   */
  searchIndexer?: Omit<PgSearchIndexerOptions, "pool" | "onError"> & { mode?: "after-commits" | "manual" };
  /** Failures of background work (the search indexer), which has no request to answer. */
  onError?: (error: unknown, context: string) => void;
}

export const PG_DEFAULTS = {
  /** Readers, the tick's writer and the membership/session writes share it: 10 per node by default. */
  poolMax: 10,
} as const;

/**
 * PostgreSQL as the system of record ([6/6]): history, memberships, sessions, room access and
 * settings in one database every node shares, the schema brought up to date at start-up
 * (migrate.ts). Redis, when there are several nodes, only carries traffic (`traffic`).
 */
export class PgBackend implements Backend {
  readonly kind = "postgres";
  /** Every node of the deployment commits to the same rooms, and a COMMIT's answer can be lost with the connection. */
  readonly sharedLog = true;
  readonly nodeId: string;
  readonly messages: PgMessageStore;
  readonly search: MessageSearch;
  readonly sessions: PgSessionStore;
  readonly memberships: PgMembershipStore;
  readonly access: AccessOperations;
  readonly bus: RoomBus;
  readonly presence?: ClusterPresence;
  readonly adminKey: PgSetting;
  readonly addressSecret: PgSetting;
  readonly searchIndexer: PgSearchIndexer;
  private readonly commit: TickCommit;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PgBackendOptions,
  ) {
    const { nodeId, now = Date.now, traffic, faults, onError } = options;
    const { mode = "after-commits", ...indexing } = options.searchIndexer ?? {};
    this.nodeId = nodeId;
    // Ticks only queue the chats they changed (migration 4); the indexer writes the index after.
    this.searchIndexer = new PgSearchIndexer({ pool, ...indexing, ...(onError ? { onError } : {}) });
    const drainsAfterCommits = mode === "after-commits";
    this.commit = new TickCommit({
      pool,
      afterCommit: (events: readonly StoredEvent[]) => {
        if (faults?.beforePublish?.(events) !== "drop") traffic?.publish(events);
        if (drainsAfterCommits) this.searchIndexer.wake();
      },
    });
    this.messages = new PgMessageStore({ pool, commit: this.commit, nodeId, now });
    this.access = new AccessOperations(this.messages);
    this.search = options.search ? options.search(pool) : new PgMessageSearch({ pool });
    const common = { pool, now, isOpen: () => !this.closed };
    this.sessions = new PgSessionStore(common);
    this.memberships = new PgMembershipStore(common);
    this.adminKey = new PgSetting({ ...common, name: SETTING_NAMES.adminKeyHash });
    this.addressSecret = new PgSetting({ ...common, name: SETTING_NAMES.addressSecret });
    this.bus = traffic?.bus ?? localRoomBus;
    if (traffic?.presence) this.presence = traffic.presence;
    // What a crash (or migrate-store) left queued.
    if (drainsAfterCommits) this.searchIndexer.wake();
  }

  /** Connects, brings the schema up to date, or fails with why (never with the URL: it may hold a password). */
  static async open(options: PgBackendOptions): Promise<PgBackend> {
    const pool = createPgPool(options.url, { max: options.poolMax ?? PG_DEFAULTS.poolMax });
    try {
      await migrate(pool);
    } catch (error) {
      await pool.end().catch(() => {});
      throw new Error(withConnectHint(`cannot open the PostgreSQL store (DATABASE_URL): ${(error as Error).message}`, error), {
        cause: error,
      });
    }
    return new PgBackend(pool, options);
  }

  async isReady(): Promise<boolean> {
    if (this.closed) return false;
    // PostgreSQL only: while Redis is away every node still stores and acks (the others catch up
    // through the latest-seq check), and a Redis outage must not take every node out of the
    // load balancer at once (docs/cluster.md).
    try {
      await this.pool.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  /** Commits what is queued first, so every write that was accepted is kept. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.commit.close();
    // After the ticks, which wake it; before the pool ends under its slice.
    await this.searchIndexer.close();
    this.closed = true;
    await this.options.traffic?.close();
    await settled(this.pool);
    await this.pool.end();
  }
}

/** How long `close` waits for calls already made (a join, a session save) before ending the pool anyway. */
const SETTLE_MS = 10_000;

/**
 * Until no call holds or waits for a connection: new calls are refused once closed (`isOpen`),
 * and ending the pool under a call in flight would leave it waiting for a connection forever.
 */
async function settled(pool: pg.Pool): Promise<void> {
  const until = Date.now() + SETTLE_MS;
  while ((pool.waitingCount > 0 || pool.idleCount < pool.totalCount) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
