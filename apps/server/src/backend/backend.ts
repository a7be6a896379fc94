import type { AdminKeyStore } from "../security/admin-key";
import type { RoomAccessStore } from "./access-store";
import type { ClusterPresence } from "./cluster-presence";
import type { MembershipStore } from "./membership-store";
import type { MessageSearch } from "./message-search";
import type { MessageStore } from "./message-store";
import type { RoomBus } from "./room-bus";
import type { SessionStore } from "./session-store";
import type { SettingStore } from "./setting-store";

/**
 * Storage and the cross-node bus behind one seam, one role each: history (`messages`), room access, sessions,
 * memberships with read markers, the room bus, and cluster presence (cluster backends only). The
 * in-memory backend is the reference; SQLite is the single-node default; PostgreSQL keeps the rooms of
 * one or several nodes, with Redis carrying the traffic between them. All of them pass the same contract suite.
 */
export interface Backend {
  readonly kind: string;
  readonly nodeId: string;
  readonly messages: MessageStore;
  /** Full-text search over chats as they stand ([5/6]): an index on SQLite, a scan of retained history elsewhere. */
  readonly search: MessageSearch;
  readonly sessions: SessionStore;
  /** Rooms each user has joined, with read markers: `join`, `leave`, `read` and `ready.rooms`. */
  readonly memberships: MembershipStore;
  /** Who may enter and who may speak ([4/6]): meta, roles, passes, invites, bans, mutes, reports. */
  readonly access: RoomAccessStore;
  readonly bus: RoomBus;
  /** The hash of the server's admin key (settings), shared by every node of the deployment. */
  readonly adminKey: AdminKeyStore;
  /**
   * The key of the HMAC an address ban keeps of an address (when ADDRESS_SECRET is unset): made on
   * first start and kept, so address bans hold across restarts and on every node sharing the store.
   */
  readonly addressSecret: SettingStore;
  /**
   * Other writers may append to these rooms without this node hearing of it (other nodes, or a
   * COMMIT whose answer was lost with the connection): the hub then checks the rooms' latest seqs
   * every `CLUSTER_SEQ_CHECK_MS` and fills what it missed. False where this process is the only
   * writer (memory, SQLite): every append goes through this node's rooms.
   */
  readonly sharedLog: boolean;
  /** Present when several nodes share presence (Redis traffic); absent on a single node. */
  readonly presence?: ClusterPresence;
  /** Whether the backend can serve requests right now, for `/readyz`. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}
