import { MemoryAdminKeyStore } from "../../security/admin-key";
import type { Backend } from "../backend";
import { localRoomBus } from "../local-room-bus";
import { MemoryMembershipStore } from "./membership-store";
import { MemoryMessageStore } from "./message-store";
import { MemorySessionStore } from "./session-store";

/** The reference backend: everything in process memory, gone on restart; a single node. */
export class MemoryBackend implements Backend {
  readonly kind = "memory";
  readonly nodeId: string;
  readonly messages: MemoryMessageStore;
  readonly sessions: MemorySessionStore;
  readonly memberships: MemoryMembershipStore;
  readonly bus = localRoomBus;
  readonly adminKey = new MemoryAdminKeyStore();
  private closed = false;

  constructor(options: { nodeId: string; now?: () => number }) {
    this.nodeId = options.nodeId;
    this.messages = new MemoryMessageStore({ ...options, isOpen: () => !this.closed });
    this.sessions = new MemorySessionStore(() => !this.closed);
    // Delegates, not `this.messages` itself: test subclasses replace `messages` after this runs.
    this.memberships = new MemoryMembershipStore({
      messages: { latestSeq: (room) => this.messages.latestSeq(room), range: (room, query) => this.messages.range(room, query) },
      isOpen: () => !this.closed,
    });
  }

  async isReady(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
