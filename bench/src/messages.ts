import type { SparseHistogram } from "./histogram";

export type ServerKind = "chatroom" | "seed" | "socketio";

export interface ClientSpec {
  /** The room the client sends to; the first it joins. */
  room: string;
  name: string;
  /** Further rooms our server's clients join on the same connection (protocol 2); others ignore it. */
  alsoJoin?: string[];
}

/** Parent → worker. */
export type WorkerCommand =
  | { cmd: "connect"; kind: ServerKind; port: number; clients: ClientSpec[]; perSecond: number; concurrency: number; timeoutMs: number }
  | { cmd: "run"; tag: number; warmTag: number; senders: number[]; rate: number; warmupMs: number; durationMs: number; textPad: number }
  | { cmd: "inbound"; tag: number; senders: number[]; window: number; durationMs: number }
  | { cmd: "count" }
  | { cmd: "stats" }
  | { cmd: "close" };

export interface WorkerStats {
  received: number;
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
  | { ev: "sent"; sent: number; elapsedMs: number }
  | { ev: "count"; received: number; acks: number }
  | { ev: "stats"; stats: WorkerStats }
  | { ev: "closed" };
