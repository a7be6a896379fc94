import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { ABUSE_BACKOFF_FLOOR_MS, type ConnectionState, INITIAL_STATE, transition } from "../src/transport/connection-machine";

const open: ConnectionState = { status: "open", attempt: 0 };
const dropped = (code: number, delayMs = 800) => ({ type: "dropped" as const, code, now: 10_000, delayMs });

describe("connection machine", () => {
  it("starts closed, connects on start and opens", () => {
    expect(INITIAL_STATE).toEqual({ status: "closed", reason: "stopped" });
    const connecting = transition(INITIAL_STATE, { type: "start" });
    expect(connecting).toEqual({ status: "connecting", attempt: 0 });
    expect(transition(connecting, { type: "opened" })).toEqual(open);
  });

  it.each([[CLOSE_CODES.shuttingDown.code], [1006], [1005], [CLOSE_CODES.tooSlow.code], [CLOSE_CODES.internalError.code], [1000]])(
    "reconnects after close code %i",
    (code) => {
      expect(transition(open, dropped(code))).toEqual({ status: "reconnecting", attempt: 1, retryAt: 10_800, lastCode: code });
    },
  );

  it("does not reconnect with the same session after 4001", () => {
    expect(transition(open, dropped(CLOSE_CODES.replaced.code))).toEqual({ status: "closed", reason: "replaced", lastCode: 4001 });
  });

  it.each([[CLOSE_CODES.badRequest.code], [CLOSE_CODES.binaryFrame.code], [CLOSE_CODES.frameTooLarge.code]])(
    "gives up after close code %i",
    (code) => {
      expect(transition(open, dropped(code))).toEqual({ status: "closed", reason: "rejected", lastCode: code });
    },
  );

  it("closes as outdated after 4505 (the server speaks another protocol): no reconnect, and retry cannot help", () => {
    const outdated = transition(open, dropped(CLOSE_CODES.unsupportedProtocol.code));
    expect(outdated).toEqual({ status: "closed", reason: "outdated", lastCode: 4505 });
    expect(transition(outdated, { type: "retry-now" })).toBe(outdated);
    expect(transition(outdated, { type: "start" })).toEqual({ status: "connecting", attempt: 0 });
  });

  it("backs off after 4408 (no hello in time), like any drop", () => {
    expect(transition(open, dropped(CLOSE_CODES.helloTimeout.code, 300))).toMatchObject({ status: "reconnecting", lastCode: 4408 });
  });

  it("waits at least 5 s after 4029, and keeps a longer backoff as it is", () => {
    expect(ABUSE_BACKOFF_FLOOR_MS).toBe(5_000);
    const short = transition(open, dropped(CLOSE_CODES.rateLimitAbuse.code, 300));
    expect(short).toEqual({ status: "reconnecting", attempt: 1, retryAt: 15_000, lastCode: 4029 });
    const long = transition(open, dropped(CLOSE_CODES.rateLimitAbuse.code, 9_000));
    expect(long).toMatchObject({ status: "reconnecting", retryAt: 19_000 });
  });

  it("counts attempts across failed tries and resets them once open", () => {
    let state = transition(open, dropped(1006));
    state = transition(state, { type: "retry-now" });
    expect(state).toEqual({ status: "connecting", attempt: 1 });
    state = transition(state, dropped(1006));
    expect(state).toMatchObject({ status: "reconnecting", attempt: 2 });
    state = transition(transition(state, { type: "retry-now" }), { type: "opened" });
    expect(state).toEqual(open);
    expect(transition(state, dropped(1006))).toMatchObject({ attempt: 1 });
  });

  it("retries at once from reconnecting or a rejected close, but not after a stop", () => {
    const rejected = transition(open, dropped(4501));
    expect(transition(rejected, { type: "retry-now" })).toEqual({ status: "connecting", attempt: 0 });
    expect(transition(INITIAL_STATE, { type: "retry-now" })).toBe(INITIAL_STATE);
    expect(transition(open, { type: "retry-now" })).toBe(open);
  });

  it("ignores events that do not apply, returning the same state object", () => {
    expect(transition(open, { type: "opened" })).toBe(open);
    expect(transition(open, { type: "start" })).toBe(open);
    expect(transition(INITIAL_STATE, dropped(1006))).toBe(INITIAL_STATE);
    expect(transition(INITIAL_STATE, { type: "stop" })).toBe(INITIAL_STATE);
    expect(transition(open, { type: "stop" })).toEqual({ status: "closed", reason: "stopped" });
  });
});
