import type { User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { Broadcaster } from "../../src/chat/room/broadcaster";
import { Typing } from "../../src/chat/room/typing";
import { FakeClock } from "../support/fake-clock";
import { RecordingSeat } from "./support/recording-seat";

const THROTTLE_MS = 1_000;
const TIMEOUT_MS = 5_000;

function room() {
  const clock = new FakeClock();
  const broadcaster = new Broadcaster();
  const names = new Map([
    ["u1", "alice"],
    ["u2", "bob"],
  ]);
  const published: Array<{ user: User; active: boolean }> = [];
  const typing = new Typing({
    room: "r",
    limits: { typingThrottleMs: THROTTLE_MS, typingTimeoutMs: TIMEOUT_MS },
    timers: clock,
    userOf: (seat) => {
      const name = names.get(seat.userId);
      return name === undefined ? undefined : { id: seat.userId, name };
    },
    send: (frame, skip) => broadcaster.sendNow(frame, skip),
    publish: (user, active) => published.push({ user, active }),
  });
  const alice = new RecordingSeat("u1");
  const bob = new RecordingSeat("u2");
  broadcaster.add(alice);
  broadcaster.add(bob);
  return { clock, typing, alice, bob, published };
}

const typingFrame = (active: boolean) => ({ type: "typing", room: "r", user: { id: "u1", name: "alice" }, active });

describe("Typing", () => {
  it("announces a typist to everyone else and to the other nodes, never to the typist", () => {
    const { typing, alice, bob, published } = room();
    typing.request(alice, true);
    expect(bob.received).toEqual([typingFrame(true)]);
    expect(alice.received).toEqual([]);
    expect(published).toEqual([{ user: { id: "u1", name: "alice" }, active: true }]);
    typing.request(alice, false);
    expect(bob.received).toEqual([typingFrame(true), typingFrame(false)]);
  });

  it("lets one start per throttle window through and delivers an early one when the window ends", () => {
    const { clock, typing, alice, bob } = room();
    typing.request(alice, true);
    clock.advance(400);
    typing.request(alice, true);
    expect(bob.received).toHaveLength(1);
    clock.advance(THROTTLE_MS - 400 - 1);
    expect(bob.received).toHaveLength(1);
    clock.advance(1);
    // Announced again, so everyone's expiry restarts.
    expect(bob.received).toEqual([typingFrame(true), typingFrame(true)]);
  });

  it("settles on the typist's latest state after a burst of true, false, true", () => {
    const { clock, typing, alice, bob } = room();
    typing.request(alice, true);
    typing.request(alice, false);
    typing.request(alice, true);
    expect(bob.received).toEqual([typingFrame(true), typingFrame(false)]);
    clock.advance(THROTTLE_MS);
    expect(bob.received).toEqual([typingFrame(true), typingFrame(false), typingFrame(true)]);
  });

  it("a stop (the typist sent its message) cancels a deferred start", () => {
    const { clock, typing, alice, bob } = room();
    typing.request(alice, true);
    typing.request(alice, true);
    typing.stop(alice);
    clock.advance(THROTTLE_MS * 3);
    expect(bob.received).toEqual([typingFrame(true), typingFrame(false)]);
  });

  it("announces the stop when a typist says nothing more for the timeout", () => {
    const { clock, typing, alice, bob } = room();
    typing.request(alice, true);
    clock.advance(TIMEOUT_MS - 1);
    expect(bob.received).toEqual([typingFrame(true)]);
    clock.advance(1);
    expect(bob.received).toEqual([typingFrame(true), typingFrame(false)]);
  });

  it("a seat that leaves stops typing at once and leaves no timer behind", () => {
    const { clock, typing, alice, bob } = room();
    typing.request(alice, true);
    typing.request(alice, true);
    typing.forget(alice);
    expect(bob.received).toEqual([typingFrame(true), typingFrame(false)]);
    expect(clock.timerCount).toBe(0);
  });

  it("shows another node's typist to every seat but that user's own", () => {
    const { typing, alice, bob, published } = room();
    typing.applyRemote({ id: "u2", name: "bob" }, true);
    expect(alice.received).toEqual([{ type: "typing", room: "r", user: { id: "u2", name: "bob" }, active: true }]);
    expect(bob.received).toEqual([]);
    expect(published).toEqual([]);
  });
});
