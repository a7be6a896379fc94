import { describe, expect, it } from "vitest";
import type { JoinOptions, JoinOutcome } from "../../src/backend/membership-store";
import { MemoryMembershipStore } from "../../src/backend/memory/membership-store";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { MemorySessionStore } from "../../src/backend/memory/session-store";
import type { SessionRecord } from "../../src/backend/session-store";
import { ServerClock } from "../support/fake-clock";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";
import { waitUntil } from "../support/wait-until";

const fixture = useTestServer();
let server: StartedServer | undefined;

/**
 * A gate that store writes can be held at, as network latency to PostgreSQL holds them: the test sees
 * when a write is waiting and decides when it goes through.
 */
class Gate {
  /** Writes waiting at the gate now. */
  waiting = 0;
  /** Writes that went through after waiting at the gate. */
  released = 0;
  private gate: Promise<void> | undefined;
  private openGate: () => void = () => {};

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  release(): void {
    this.gate = undefined;
    this.openGate();
  }

  async pass<T>(write: () => Promise<T>): Promise<T> {
    const gate = this.gate;
    if (!gate) return write();
    this.waiting++;
    await gate;
    this.waiting--;
    const result = await write();
    this.released++;
    return result;
  }
}

/** Session writes (a hello that makes a session, a name that changes) wait at `gate`. */
class GatedSessionStore extends MemorySessionStore {
  readonly gate = new Gate();

  override save(token: string, record: SessionRecord): Promise<void> {
    return this.gate.pass(() => super.save(token, record));
  }
}

/** Membership writes (every join of a room) wait at `gate`. */
class GatedMembershipStore extends MemoryMembershipStore {
  readonly gate = new Gate();

  override join(userId: string, room: string, options: JoinOptions): Promise<JoinOutcome> {
    return this.gate.pass(() => super.join(userId, room, options));
  }
}

class GatedBackend extends MemoryBackend {
  override readonly sessions = new GatedSessionStore();
  override readonly memberships = new GatedMembershipStore({
    messages: { latestSeq: (room) => this.messages.latestSeq(room), range: (room, query) => this.messages.range(room, query) },
    isOpen: () => true,
  });
}

describe("room lifecycle", () => {
  it("a room emptied while someone is joining it is not split in two", async () => {
    const backend = new GatedBackend({ nodeId: "slow" });
    const clock = new ServerClock();
    server = await fixture.start({ PRESENCE_GRACE_MS: "30" }, { backend, timers: clock });
    const alice = await TestClient.join(server.wsUrl, { room: "r", name: "alice" });
    await alice.close();
    await server.waitForConnections(0);
    // Bob's join waits on the store while alice's grace runs out.
    const bob = await TestClient.open(server.wsUrl, { name: "bob" });
    fixture.track(bob);
    backend.memberships.gate.hold();
    const bobJoining = bob.join("r");
    await waitUntil(() => backend.memberships.gate.waiting === 1, { what: "bob's join to wait on the store" });
    await clock.advance(server.config.limits.presenceGraceMs + server.config.limits.systemFlushMs);
    backend.memberships.gate.release();
    await bobJoining;
    const carol = await TestClient.join(server.wsUrl, { room: "r", name: "carol" });
    fixture.track(carol);
    expect(carol.joined.members.map((member) => member.name).sort()).toEqual(["bob", "carol"]);
    carol.chat("r", "anyone?", "c1");
    expect(await bob.waitForType("chat")).toMatchObject({ room: "r", text: "anyone?", from: carol.joined.you });
  });

  it("two users joining at once with the same name get different names", async () => {
    const backend = new GatedBackend({ nodeId: "slow" });
    server = await fixture.start({}, { backend });
    const url = server.wsUrl;
    const both = await Promise.all([1, 2].map(() => TestClient.open(url, { name: "alice" })));
    fixture.track(...both);
    backend.memberships.gate.hold();
    const joining = both.map((client) => client.join("r"));
    // Both joins are inside the store at once before either goes on.
    await waitUntil(() => backend.memberships.gate.waiting === 2, { what: "both joins to wait on the store" });
    backend.memberships.gate.release();
    const joined = await Promise.all(joining);
    expect(joined.map((frame) => frame.you.name).sort()).toEqual(["alice", "alice (2)"]);
    const index = joined.findIndex((frame) => frame.you.name === "alice (2)");
    const resumed = both[index];
    await resumed?.close();
    const again = await TestClient.join(server.wsUrl, { room: "r", session: resumed?.ready.session });
    fixture.track(again);
    expect(again.joined.you.name).toBe("alice (2)");
  });

  it("a connection still joining when the server shuts down is closed with 1001 and never gets joined", async () => {
    const backend = new GatedBackend({ nodeId: "slow" });
    server = await fixture.start({}, { backend });
    const present = await TestClient.join(server.wsUrl, { room: "r", name: "present" });
    const joining = await TestClient.open(server.wsUrl, { name: "joining" });
    backend.memberships.gate.hold();
    joining.send({ type: "join", room: "r" });
    await waitUntil(() => backend.memberships.gate.waiting === 1, { what: "the join to wait on the store" });
    const closing = server.close();
    expect((await joining.waitForClose()).code).toBe(1001);
    expect((await present.waitForClose()).code).toBe(1001);
    await closing;
    // The held join goes on after the shutdown: it must not answer anyone or count again.
    backend.memberships.gate.release();
    await waitUntil(() => backend.memberships.gate.released === 1, { what: "the held membership write to finish" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(joining.ofType("joined")).toEqual([]);
    expect(server.app.hub.connectionCount).toBe(0);
  });

  it("a connection still saying hello when the server shuts down is closed with 1001 and never gets ready", async () => {
    const backend = new GatedBackend({ nodeId: "slow" });
    server = await fixture.start({}, { backend });
    const present = await TestClient.join(server.wsUrl, { room: "r", name: "present" });
    backend.sessions.gate.hold();
    const greeting = await TestClient.connect(server.wsUrl);
    greeting.send({ type: "hello", protocol: 2, name: "greeting" });
    await waitUntil(() => backend.sessions.gate.waiting === 1, { what: "the hello to wait on the session store" });
    const closing = server.close();
    expect((await greeting.waitForClose()).code).toBe(1001);
    expect((await present.waitForClose()).code).toBe(1001);
    await closing;
    backend.sessions.gate.release();
    await waitUntil(() => backend.sessions.gate.released === 1, { what: "the held session write to finish" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(greeting.ofType("ready")).toEqual([]);
    expect(server.app.hub.connectionCount).toBe(0);
  });

  it("a room that empties and fills again keeps counting seq", async () => {
    const clock = new ServerClock();
    server = await fixture.start({ PRESENCE_GRACE_MS: "20" }, { timers: clock });
    const alice = await TestClient.join(server.wsUrl, { room: "r", name: "alice" });
    alice.chat("r", "one", "a1");
    await alice.waitForType("ack");
    await alice.close();
    await server.waitForConnections(0);
    await clock.advance(server.config.limits.presenceGraceMs + server.config.limits.systemFlushMs);
    const listing = () => fetch(`${server?.url}/api/rooms`).then((response) => response.json());
    await waitUntil(async () => JSON.stringify(await listing()) === JSON.stringify({ rooms: [] }), { what: "the room to empty" });
    expect(await listing()).toEqual({ rooms: [] });
    const bob = await TestClient.join(server.wsUrl, { room: "r", name: "bob" });
    fixture.track(bob);
    expect(bob.joined.latestSeq).toBe(1);
    bob.chat("r", "two", "b1");
    expect(await bob.waitForType("chat")).toMatchObject({ room: "r", seq: 2 });
  });
});
