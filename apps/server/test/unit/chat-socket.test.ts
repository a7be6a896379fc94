import { CLOSE_CODES } from "@chatroom/protocol";
import type { FastifyBaseLogger } from "fastify";
import { describe, expect, it } from "vitest";
import { Heartbeat, type HeartbeatSocket } from "../../src/plugins/chat-socket/heartbeat";
import { closeCodeForWsError, handleSocketError } from "../../src/plugins/chat-socket/ws-errors";
import type { TransportMetrics } from "../../src/plugins/metrics";

const OPEN = 1;
const CLOSING = 2;

class FakeSocket implements HeartbeatSocket {
  readonly OPEN = OPEN;
  readyState: number = OPEN;
  pings = 0;
  terminated = false;
  closes: Array<[number, string]> = [];
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
  }
  close(code: number, reason: string): void {
    this.closes.push([code, reason]);
  }
}

describe("Heartbeat", () => {
  it("pings every open socket each round and cuts one that did not answer the previous round", () => {
    const alive = new FakeSocket();
    const silent = new FakeSocket();
    const closing = Object.assign(new FakeSocket(), { readyState: CLOSING });
    const heartbeat = new Heartbeat(() => [alive, silent, closing]);

    heartbeat.round();
    expect([alive.pings, silent.pings, closing.pings]).toEqual([1, 1, 0]);
    heartbeat.ponged(alive);

    heartbeat.round();
    expect(alive.terminated).toBe(false);
    expect(alive.pings).toBe(2);
    expect(silent.terminated).toBe(true);
    expect(silent.pings).toBe(1);
    expect(closing.terminated).toBe(false);
  });

  it("keeps nothing for a socket that closed while awaiting its pong", () => {
    const socket = new FakeSocket();
    let sockets: FakeSocket[] = [socket];
    const heartbeat = new Heartbeat(() => sockets);
    heartbeat.round();
    heartbeat.forget(socket);
    sockets = [];
    heartbeat.round();
    // Back again (the same object): it is pinged, not cut for the round it missed while gone.
    sockets = [socket];
    heartbeat.round();
    expect(socket.terminated).toBe(false);
    expect(socket.pings).toBe(2);
  });
});

describe("ws errors", () => {
  it.each([
    ["WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", CLOSE_CODES.frameTooLarge.code],
    ["WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH", CLOSE_CODES.frameTooLarge.code],
    ["WS_ERR_INVALID_UTF8", CLOSE_CODES.invalidUtf8.code],
    ["WS_ERR_TOO_MANY_BUFFERED_PARTS", CLOSE_CODES.policyViolation.code],
    ["WS_ERR_INVALID_OPCODE", CLOSE_CODES.protocolError.code],
    ["WS_ERR_EXPECTED_MASK", CLOSE_CODES.protocolError.code],
  ])("%s is the close ws sent with %i", (errorCode, closeCode) => {
    expect(closeCodeForWsError(errorCode)).toBe(closeCode);
  });

  function context() {
    const logged: Array<[string, string | undefined]> = [];
    const closes: number[] = [];
    const log = {
      debug: (_object: object, message?: string) => logged.push(["debug", message]),
      error: (_object: object, message?: string) => logged.push(["error", message]),
    } as unknown as FastifyBaseLogger;
    const metrics = { serverClose: (code: number) => closes.push(code) } as unknown as TransportMetrics;
    return { logged, closes, options: { log, metrics, failure: "handler failed" } };
  }

  it("a protocol violation is counted under ws's close code and logged at debug; ws already closed the socket", () => {
    const { logged, closes, options } = context();
    const socket = new FakeSocket();
    handleSocketError(Object.assign(new Error("bad utf-8"), { code: "WS_ERR_INVALID_UTF8" }), socket, options);
    expect(closes).toEqual([CLOSE_CODES.invalidUtf8.code]);
    expect(logged).toEqual([["debug", "websocket protocol violation"]]);
    expect(socket.closes).toEqual([]);
  });

  it("any other error is logged as ours and closes an open socket once with 1011", () => {
    const { logged, closes, options } = context();
    const open = new FakeSocket();
    handleSocketError(new Error("boom"), open, options);
    expect(logged).toEqual([["error", "handler failed"]]);
    expect(closes).toEqual([CLOSE_CODES.internalError.code]);
    expect(open.closes).toEqual([[CLOSE_CODES.internalError.code, CLOSE_CODES.internalError.reason]]);

    const closing = Object.assign(new FakeSocket(), { readyState: CLOSING });
    handleSocketError(new Error("late"), closing, options);
    expect(closing.closes).toEqual([]);
    expect(closes).toHaveLength(1);
  });
});
