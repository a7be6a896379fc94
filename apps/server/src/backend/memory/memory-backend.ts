import { AccessOperations } from "../access-store";
import type { Backend } from "../backend";
import { localRoomBus } from "../local-room-bus";
import { ScanMessageSearch } from "../search/scan-message-search";
import { MemorySetting } from "../setting-store";
import { MemoryAccessState } from "./access-state";
import { MemoryMembershipStore } from "./membership-store";
import { MemoryMessageStore } from "./message-store";
import { MemorySessionStore } from "./session-store";

/** The reference backend: everything in process memory, gone on restart; a single node. */
export class MemoryBackend implements Backend {
  readonly kind = "memory";
  /** One process, in its own memory: nobody else appends. */
  readonly sharedLog: boolean = false;
  readonly nodeId: string;
  readonly messages: MemoryMessageStore;
  readonly search: ScanMessageSearch;
  readonly sessions: MemorySessionStore;
  readonly memberships: MemoryMembershipStore;
  readonly access: AccessOperations;
  readonly bus = localRoomBus;
  readonly adminKey = new MemorySetting();
  readonly addressSecret = new MemorySetting();
  private closed = false;

  constructor(options: { nodeId: string; now?: () => number }) {
    this.nodeId = options.nodeId;
    // Delegates again: the state asks the stores as they are when it runs.
    const state = new MemoryAccessState({
      hasEvents: (room) => this.messages.hasEvents(room),
      hasMembers: (room) => this.memberships.hasMembers(room),
      forgetMembership: (userId, room) => this.memberships.forget(userId, room),
    });
    this.messages = new MemoryMessageStore({
      ...options,
      access: state,
      isOpen: () => !this.closed,
      memberCount: (room) => this.memberships.memberCountNow(room),
    });
    this.sessions = new MemorySessionStore(() => !this.closed);
    // Delegates, not `this.messages` itself: test subclasses replace `messages` after this runs.
    this.memberships = new MemoryMembershipStore({
      messages: { latestSeq: (room) => this.messages.latestSeq(room), range: (room, query) => this.messages.range(room, query) },
      isOpen: () => !this.closed,
    });
    // Runs on `messages` as it is when called: test subclasses that replace it are honoured.
    this.search = new ScanMessageSearch({
      latestSeq: (room) => this.messages.latestSeq(room),
      before: (room, before, limit) => this.messages.before(room, before, limit),
    });
    this.access = new AccessOperations({ runAccess: (room, dedupe, decide) => this.messages.runAccess(room, dedupe, decide) });
  }

  async isReady(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
