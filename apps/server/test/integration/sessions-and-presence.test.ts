import { CLOSE_CODES, type ServerFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { ServerClock } from "../support/fake-clock";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";
import { waitUntil } from "../support/wait-until";

const fixture = useTestServer();
const { join } = fixture;
let server: StartedServer;

/** A server on a fake clock, for the tests about grace periods and the typing throttle. */
async function startOnClock(env: Record<string, string> = {}): Promise<ServerClock> {
  const clock = new ServerClock();
  server = await fixture.start(env, { timers: clock });
  return clock;
}

/**
 * alice and bob in the lobby of a server on a fake clock, once alice has been told bob joined:
 * what follows is not folded into the join announcements.
 */
async function aliceThenBob(env: Record<string, string>) {
  const clock = await startOnClock(env);
  const alice = await join({ name: "alice" });
  const bob = await join({ name: "bob" });
  await clock.advance(server.config.limits.systemFlushMs);
  const bobJoined = await alice.waitFor((frame) => frame.type === "system" && frame.joined.some((user) => user.id === bob.joined.you.id));
  return { clock, alice, bob, bobJoined };
}

/**
 * Closes `client` and lets the server's grace period run out on `clock`: once the server has
 * counted the connection gone (so its grace timer is set), the clock passes the grace period.
 */
async function leaveForGood(client: TestClient, clock: ServerClock, connectionsLeft: number): Promise<void> {
  await client.close();
  await server.waitForConnections(connectionsLeft);
  await clock.advance(server.config.limits.presenceGraceMs + server.config.limits.systemFlushMs);
}

describe("sessions", () => {
  it("a resumed session keeps its user id and name", async () => {
    const clock = await startOnClock({ PRESENCE_GRACE_MS: "50" });
    const first = await join({ name: "alice" });
    await leaveForGood(first, clock, 0);
    const second = await join({ session: first.ready.session, name: "ignored" });
    expect(second.ready.you).toEqual(first.ready.you);
    expect(second.joined.you).toEqual(first.joined.you);
    expect(second.ready.session).toBe(first.ready.session);
  });

  it("a second connection of the same session, joining the same room, closes the first with 4001", async () => {
    server = await fixture.start();
    const first = await join({ name: "alice", room: "r" });
    const second = await join({ session: first.ready.session, room: "r" });
    expect((await first.waitForClose()).code).toBe(CLOSE_CODES.replaced.code);
    expect(second.joined.you).toEqual(first.joined.you);
    expect(second.joined.memberCount).toBe(1);
    second.send({ type: "ping", t: 2 });
    await second.waitForType("pong");
  });

  it("one connection per session: the newer connection's ready closes the older with 4001, before any join", async () => {
    server = await fixture.start();
    const first = await join({ name: "alice", room: "r" });
    const second = await TestClient.open(server.wsUrl, { session: first.ready.session });
    fixture.track(second);
    expect((await first.waitForClose()).code).toBe(CLOSE_CODES.replaced.code);
    expect(second.ready.you).toEqual(first.ready.you);
    // The membership survived the replaced connection: ready lists it.
    expect(second.ready.rooms.map((entry) => entry.room)).toEqual(["r"]);
    // A connection of another session is not touched.
    const other = await join({ name: "bob", room: "r" });
    const third = await TestClient.open(server.wsUrl, { session: second.ready.session });
    fixture.track(third);
    expect((await second.waitForClose()).code).toBe(CLOSE_CODES.replaced.code);
    other.send({ type: "ping", t: 3 });
    await other.waitForType("pong");
    expect(other.isOpen).toBe(true);
  });

  it("an unknown session token starts a new session", async () => {
    server = await fixture.start();
    const client = await join({ session: "x".repeat(24), name: "alice" });
    expect(client.ready.session).not.toBe("x".repeat(24));
    expect(client.ready.you.name).toBe("alice");
    expect(client.joined.you.name).toBe("alice");
  });
});

describe("names", () => {
  it("a name held by another user gets a suffix, case-insensitively", async () => {
    server = await fixture.start();
    await join({ name: "alice" });
    const second = await join({ name: "alice" });
    expect(second.joined.you.name).toBe("alice (2)");
    const third = await join({ name: "ALICE" });
    expect(third.joined.you.name).toBe("ALICE (3)");
  });

  it("the name is NFKC-normalized and trimmed", async () => {
    server = await fixture.start();
    const client = await join({ name: "  ｆｕｌｌ  " });
    expect(client.joined.you.name).toBe("full");
  });

  it("rename to a taken name gets name_taken and changes nothing", async () => {
    server = await fixture.start();
    await join({ name: "alice" });
    const bob = await join({ name: "bob" });
    bob.send({ type: "rename", name: "Alice" });
    const error = await bob.waitForType("error");
    expect(error.code).toBe("name_taken");
    expect(error.room).toBe("lobby");
    const carol = await join({ name: "bob" });
    expect(carol.joined.you.name).toBe("bob (2)");
  });

  it("rename broadcasts a system frame with renamed, and the new name sticks to the session", async () => {
    // The join announcements go out first, so the rename is not folded into a join.
    const { clock, alice, bob } = await aliceThenBob({ PRESENCE_GRACE_MS: "50" });
    const from = alice.frames.length;
    bob.send({ type: "rename", name: "robert" });
    await clock.advance(server.config.limits.systemFlushMs);
    const system = await alice.waitFor((frame) => frame.type === "system" && frame.renamed.length > 0, { from });
    expect(system.type === "system" && system.renamed).toEqual([{ user: { id: bob.joined.you.id, name: "robert" }, previousName: "bob" }]);
    const chat = await (async () => {
      bob.chat("lobby", "hi", "after-rename");
      return alice.waitForType("chat");
    })();
    expect(chat.from).toEqual({ id: bob.joined.you.id, name: "robert" });
    await leaveForGood(bob, clock, 1);
    const again = await join({ session: bob.ready.session });
    expect(again.joined.you).toEqual({ id: bob.joined.you.id, name: "robert" });
    expect(again.ready.you).toEqual({ id: bob.joined.you.id, name: "robert" });
    // The old name is free again.
    const other = await join({ name: "bob" });
    expect(other.joined.you.name).toBe("bob");
  });
});

describe("names and sessions together", () => {
  it("a resumed session whose name was taken meanwhile gets a suffix, and keeps it", async () => {
    const clock = await startOnClock({ PRESENCE_GRACE_MS: "20" });
    const first = await join({ name: "alice" });
    await leaveForGood(first, clock, 0);
    const usurper = await join({ name: "alice" });
    expect(usurper.joined.you.name).toBe("alice");
    const back = await join({ session: first.ready.session });
    expect(back.joined.you).toEqual({ id: first.joined.you.id, name: "alice (2)" });
    await back.close();
    const again = await join({ session: first.ready.session });
    expect(again.joined.you.name).toBe("alice (2)");
  });

  it("renaming to one's own name in another case is allowed; to the same name is a no-op", async () => {
    server = await fixture.start();
    const alice = await join({ name: "alice" });
    const bob = await join({ name: "bob" });
    await bob.waitFor((frame) => frame.type === "system" && frame.joined.length > 0 && frame.memberCount === 2);
    const from = bob.frames.length;
    alice.send({ type: "rename", name: "alice" });
    alice.send({ type: "rename", name: "Alice" });
    const system = await bob.waitFor((frame) => frame.type === "system" && frame.renamed.length > 0, { from });
    expect(system.type === "system" && system.renamed).toEqual([
      { user: { id: alice.joined.you.id, name: "Alice" }, previousName: "alice" },
    ]);
    expect(alice.ofType("error")).toEqual([]);
  });
});

describe("presence", () => {
  it("announces joins and, after the grace period, leaves", async () => {
    const { clock, alice, bob, bobJoined: joined } = await aliceThenBob({ PRESENCE_GRACE_MS: "100" });
    const { presenceGraceMs, systemFlushMs } = server.config.limits;
    expect(joined).toMatchObject({ type: "system", room: "lobby", left: [], renamed: [], memberCount: 2 });
    const from = alice.frames.length;
    await bob.close();
    await server.waitForConnections(1);
    // Until the grace period is over on the server's clock, bob has not left.
    await clock.advance(presenceGraceMs - 1);
    alice.send({ type: "ping", t: 1 });
    await alice.waitForType("pong", { from });
    expect(alice.frames.slice(from).filter((frame) => frame.type === "system")).toEqual([]);
    await clock.advance(1 + systemFlushMs);
    const left = await alice.waitFor((frame) => frame.type === "system" && frame.left.length > 0, { from });
    expect(left).toMatchObject({ type: "system", joined: [], left: [bob.joined.you], memberCount: 1 });
  });

  it("a reconnect within the grace period produces no leave and no join", async () => {
    const { clock, alice, bob } = await aliceThenBob({ PRESENCE_GRACE_MS: "400" });
    const from = alice.frames.length;
    bob.terminate();
    await bob.closed;
    const back = await join({ session: bob.ready.session });
    expect(back.joined.you).toEqual(bob.joined.you);
    expect(back.joined.memberCount).toBe(2);
    // The clock stood still until now, so the reconnect came within the grace period. Past the
    // grace period and the system coalescing window, nothing about bob may have been said.
    await server.waitForConnections(2);
    await clock.advance(server.config.limits.presenceGraceMs + 2 * server.config.limits.systemFlushMs);
    alice.send({ type: "ping", t: 9 });
    await alice.waitForType("pong", { from });
    expect(alice.frames.slice(from).filter((frame) => frame.type === "system")).toEqual([]);
  });

  it("coalesces a burst of joins into few system frames", async () => {
    // On the server's fake clock: on the wall clock a loaded machine spread the 8 joins over
    // several 200 ms windows (1 s for this test in CI run 75), one frame each, past the bound below.
    const clock = await startOnClock();
    const watcher = await join({ name: "watcher" });
    const from = watcher.frames.length;
    await Promise.all(Array.from({ length: 8 }, (_, i) => join({ name: `p${i}` })));
    await clock.advance(server.config.limits.systemFlushMs);
    await watcher.waitFor(
      (_frame, index) =>
        watcher.frames
          .slice(from, index + 1)
          .flatMap((frame) => (frame.type === "system" ? frame.joined : []))
          .filter((user) => user.name.startsWith("p")).length === 8,
      { from },
    );
    const systems = watcher.frames.slice(from).filter((frame) => frame.type === "system");
    // All 8 joined inside one window: one frame.
    expect(systems).toHaveLength(1);
    expect(systems.at(-1)).toMatchObject({ memberCount: 9 });
  });
});

describe("presence per room", () => {
  it("a user in two rooms is listed in both, and leaving one lists them in the other only", async () => {
    const clock = new ServerClock();
    server = await fixture.start({ PRESENCE_GRACE_MS: "60000" }, { timers: clock });
    const alice = await join({ room: "red", name: "alice" });
    await alice.join("blue");
    const inRed = await join({ room: "red", name: "watcher-red" });
    const inBlue = await join({ room: "blue", name: "watcher-blue" });
    expect(inRed.joined.members.map((member) => member.name).sort()).toEqual(["alice", "watcher-red"]);
    expect(inBlue.joined.members.map((member) => member.name).sort()).toEqual(["alice", "watcher-blue"]);

    const from = inRed.frames.length;
    const leftAt = clock.now();
    await alice.leave("blue");
    // An explicit leave is told at once: no grace period (a minute here), only the system frames'
    // coalescing window, which closes as the server's clock moves on.
    const isAliceLeaving = (frame: ServerFrame) => frame.type === "system" && frame.left.some((user) => user.id === alice.ready.you.id);
    await waitUntil(
      async () => {
        await clock.advance(server.config.limits.systemFlushMs);
        return inBlue.frames.some(isAliceLeaving);
      },
      { what: "blue to see alice leave" },
    );
    expect(clock.now() - leftAt).toBeLessThan(server.config.limits.presenceGraceMs);
    const left = await inBlue.waitFor(isAliceLeaving);
    expect(left).toMatchObject({ room: "blue", memberCount: 1 });
    inRed.send({ type: "ping", t: 1 });
    await inRed.waitForType("pong", { from });
    expect(inRed.frames.slice(from).filter((frame) => frame.type === "system" && frame.left.length > 0)).toEqual([]);
    const rooms = (await (await fetch(`${server.url}/api/rooms`)).json()) as { rooms: Array<{ name: string; memberCount: number }> };
    expect(rooms.rooms).toEqual(
      expect.arrayContaining([
        { name: "red", memberCount: 2 },
        { name: "blue", memberCount: 1 },
      ]),
    );
  });
});

describe("liveness", () => {
  it("the server terminates a peer that stops answering its pings, and keeps one that answers", async () => {
    server = await fixture.start({ PING_INTERVAL_MS: "100" });
    const deaf = await TestClient.join(server.wsUrl, { name: "deaf", autoPong: false });
    fixture.track(deaf);
    const healthy = await join({ name: "healthy" });
    const closed = await deaf.waitForClose(3_000);
    expect(closed.code).toBe(1006);
    expect(healthy.isOpen).toBe(true);
  });
});

describe("typing", () => {
  it("goes to the others, not to the sender", async () => {
    server = await fixture.start();
    const alice = await join({ name: "alice" });
    const bob = await join({ name: "bob" });
    alice.send({ type: "typing", room: "lobby", active: true });
    expect(await bob.waitForType("typing")).toEqual({ type: "typing", room: "lobby", user: alice.joined.you, active: true });
    alice.send({ type: "typing", room: "lobby", active: false });
    await bob.waitFor((frame) => frame.type === "typing" && !frame.active);
    alice.send({ type: "ping" });
    await alice.waitForType("pong");
    expect(alice.ofType("typing")).toEqual([]);
  });

  it("stops when the typist sends a chat", async () => {
    server = await fixture.start();
    const alice = await join({ name: "alice" });
    const bob = await join({ name: "bob" });
    alice.send({ type: "typing", room: "lobby", active: true });
    await bob.waitForType("typing");
    alice.chat("lobby", "done", "t1");
    await bob.waitFor((frame) => frame.type === "typing" && !frame.active);
  });

  /**
   * Alice types, stops and types again in one burst: the clock stands still, so the second
   * start falls inside the server's throttle window.
   */
  async function startStopStart() {
    const clock = await startOnClock();
    const alice = await join({ name: "alice" });
    const bob = await join({ name: "bob" });
    for (const active of [true, false, true]) alice.send({ type: "typing", room: "lobby", active });
    await bob.waitFor(() => bob.ofType("typing").length === 2);
    return { alice, bob, clock };
  }

  it("a start inside the throttle window arrives late instead of being lost", async () => {
    const { alice, bob, clock } = await startStopStart();
    const states = () => bob.ofType("typing").map((frame) => frame.active);
    // Held back while the window lasts...
    await clock.advance(server.config.limits.typingThrottleMs - 1);
    alice.send({ type: "ping" });
    await alice.waitForType("pong");
    expect(states()).toEqual([true, false]);
    // ...and sent when it ends.
    await clock.advance(1);
    await bob.waitFor(() => states().length === 3);
    expect(states()).toEqual([true, false, true]);
  });

  it("a stop or a chat cancels a start the throttle is holding back", async () => {
    const { alice, bob, clock } = await startStopStart();
    alice.chat("lobby", "sent before the window ended", "t2");
    await bob.waitFor((frame) => frame.type === "chat");
    // Past the throttle window, when the held-back start would have gone out.
    await clock.advance(server.config.limits.typingThrottleMs + server.config.limits.typingTimeoutMs);
    alice.send({ type: "ping" });
    await alice.waitForType("pong");
    expect(bob.ofType("typing").map((frame) => frame.active)).toEqual([true, false]);
  });
});
