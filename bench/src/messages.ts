import type { SparseHistogram } from "./histogram";

export type ServerKind = "chatroom" | "seed" | "socketio";

export interface ClientSpec {
  /** The room the client sends to; the first it joins. */
  room: string;
  name: string;
  /** Further rooms our server's clients join on the same connection (protocol 2); others ignore it. */
  alsoJoin?: string[];
}

/**
 * The mixed scenario's frames (our server only), in the order each sender cycles through them,
 * every sender starting at its own phase: 7 chats, 2 reactions and 1 edit in every 10.
 */
export const MIX_PATTERN = ["chat", "chat", "react", "chat", "chat", "edit", "chat", "chat", "react", "chat"] as const;

/** What the senders of a mixed run sent in its measured part. */
export interface MixCounts {
  chats: number;
  reactionsOn: number;
  reactionsOff: number;
  edits: number;
  /** Reactions or edits sent as chats because the sender had no target yet (0 after priming). */
  fallbacks: number;
}

/** Parent → worker. */
export type WorkerCommand =
  | { cmd: "connect"; kind: ServerKind; port: number; clients: ClientSpec[]; perSecond: number; concurrency: number; timeoutMs: number }
  | {
      cmd: "run";
      tag: number;
      warmTag: number;
      senders: number[];
      rate: number;
      warmupMs: number;
      durationMs: number;
      textPad: number;
      /** Send MIX_PATTERN instead of chats only (the senders must have been primed). */
      mixed?: boolean;
    }
  /**
   * Mixed runs: every sender sends one chat and waits until it has seen a chat and knows one of
   * its own, then sets and clears a reaction and edits its chat once (a fresh server's first ones
   * are slow). All are counted under `tag` until the next `stats`, so that the parent can drain them.
   */
  | { cmd: "prime"; tag: number; senders: number[]; textPad: number; timeoutMs: number }
  | { cmd: "inbound"; tag: number; senders: number[]; window: number; durationMs: number }
  | { cmd: "count" }
  | { cmd: "stats" }
  | { cmd: "close" };

export interface WorkerStats {
  /** Measured event frames received: chats, and in mixed runs edits and reactions too. */
  received: number;
  receivedEdits: number;
  receivedReactions: number;
  latency: SparseHistogram;
  maxMs: number;
  acks: number;
  ackLatency: SparseHistogram;
  ackMaxMs: number;
  errors: number;
  errorSamples: string[];
  systemFrames: number;
  systemBytes: number;
  otherFrames: number;
  closed: number;
  /** Fewest and most measured chats any one client of this worker received (no-loss check). */
  perClientMin: number;
  perClientMax: number;
}

/** Worker → parent. */
export type WorkerEvent =
  | { ev: "ready" }
  | { ev: "connected"; ok: number; failed: number; welcomes: number; elapsedMs: number; errorSamples: string[] }
  | { ev: "sent"; sent: number; elapsedMs: number; mix?: MixCounts }
  /** `changes`: the reactions and edits priming sent after the chats (each one more event per client). */
  | { ev: "primed"; ready: number; of: number; changes: number }
  | { ev: "count"; received: number; acks: number }
  | { ev: "stats"; stats: WorkerStats }
  | { ev: "closed" };
