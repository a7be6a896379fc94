import type { ClientFrame, ServerFrame } from "@chatroom/protocol";
import WebSocket from "ws";

interface Waiter {
  match: (frame: ServerFrame) => boolean;
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A lean protocol-2 client for timing one request at a time: frames are parsed with JSON.parse
 * only (no schema check on the clock), and each request waits for the first frame that answers it.
 * Frames nobody waits for (presence, live chats) are dropped.
 */
export class BenchSocket {
  private readonly waiters = new Set<Waiter>();
  private closedReason: string | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      for (const waiter of this.waiters) {
        if (!waiter.match(frame)) continue;
        this.settle(waiter);
        waiter.resolve(frame);
        return;
      }
    });
    ws.on("close", (code, reason) => this.fail(`socket closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ""})`));
    ws.on("error", (error) => this.fail(`socket error: ${error.message}`));
  }

  /** Connects, says hello with `name` and resolves once `ready` arrived. */
  static async open(port: number, name: string, timeoutMs: number): Promise<BenchSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const socket = new BenchSocket(ws);
    const ready = await socket.request({ type: "hello", protocol: 2, name }, (f) => f.type === "ready" || f.type === "error", timeoutMs);
    if (ready.type !== "ready") throw new Error(`hello refused: ${JSON.stringify(ready)}`);
    return socket;
  }

  /** Sends `frame` and resolves with the first frame `match` accepts, or rejects after `timeoutMs`. */
  request(frame: ClientFrame, match: (frame: ServerFrame) => boolean, timeoutMs: number): Promise<ServerFrame> {
    if (this.closedReason) return Promise.reject(new Error(this.closedReason));
    return new Promise<ServerFrame>((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.settle(waiter);
          reject(new Error(`no answer to ${frame.type} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.ws.send(JSON.stringify(frame));
    });
  }

  close(): void {
    this.ws.close();
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }

  private fail(reason: string): void {
    this.closedReason ??= reason;
    for (const waiter of this.waiters) {
      this.settle(waiter);
      waiter.reject(new Error(reason));
    }
  }
}

/** The answer to a room frame (`joined`, `history`) or the error about that room. */
export const answersRoom =
  (type: "joined" | "history", room: string) =>
  (frame: ServerFrame): boolean =>
    (frame.type === type && frame.room === room) || (frame.type === "error" && frame.room === room);

/** The answer to a frame with a clientMsgId: `search-results` or an `error` naming it. */
export const answersRequest =
  (clientMsgId: string) =>
  (frame: ServerFrame): boolean =>
    (frame.type === "search-results" || frame.type === "error") && "clientMsgId" in frame && frame.clientMsgId === clientMsgId;
