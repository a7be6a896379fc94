import type { Backend } from "../backend";
import { localRoomBus } from "../local-room-bus";
import { MemoryMessageStore } from "./message-store";
import { MemorySessionStore } from "./session-store";

/** The reference backend: everything in process memory, gone on restart; a single node. */
export class MemoryBackend implements Backend {
  readonly kind = "memory";
  readonly nodeId: string;
  readonly messages: MemoryMessageStore;
  readonly sessions: MemorySessionStore;
  readonly bus = localRoomBus;
  private closed = false;

  constructor(options: { nodeId: string; now?: () => number }) {
    this.nodeId = options.nodeId;
    this.messages = new MemoryMessageStore({ ...options, isOpen: () => !this.closed });
    this.sessions = new MemorySessionStore(() => !this.closed);
  }

  async isReady(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
