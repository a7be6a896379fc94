import { describe, expect, it } from "vitest";
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
 * A store whose session writes can be held at a gate, as network latency to Redis holds them:
 * the test sees when a join is waiting on the store and decides when the write goes through.
 */
class GatedSessionStore extends MemorySessionStore {
  /** Session writes waiting at the gate now. */
  waiting = 0;
  /** Session writes that went through after waiting at the gate. */
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

  override async save(token: string, record: SessionRecord): Promise<void> {
    const gate = this.gate;
    if (gate) {
      this.waiting++;
      await gate;
      this.waiting--;
    }
    await super.save(token, record);
    if (gate) this.released++;
  }
}

class GatedSessionBackend extends MemoryBackend {
  override readonly sessions = new GatedSessionStore();
}

describe("room lifecycle", () => {
  it("a room emptied while someone is joining it is not split in two", async () => {
    const backend = new GatedSessionBackend({ nodeId: "slow" });
    const clock = new ServerClock();
    server = await fixture.start({ PRESENCE_GRACE_MS: "30" }, { backend, timers: clock });
    const alice = await TestClient.join(server.wsUrl, { room: "r", name: "alice" });
    await alice.close();
    await server.waitForConnections(0);
    // Bob's join finds the room, then waits on the store while alice's grace runs out.
    backend.sessions.hold();
    const bobJoining = TestClient.join(server.wsUrl, { room: "r", name: "bob" });
    await waitUntil(() => backend.sessions.waiting === 1, { what: "bob's join to wait on the store" });
    await clock.advance(server.config.limits.presenceGraceMs + server.config.limits.systemFlushMs);
    backend.sessions.release();
    const bob = await bobJoining;
    fixture.track(bob);
    const carol = await TestClient.join(server.wsUrl, { room: "r", name: "carol" });
    fixture.track(carol);
    expect(carol.welcome.members.map((member) => member.name).sort()).toEqual(["bob", "carol"]);
    carol.send({ type: "chat", text: "anyone?", clientMsgId: "c1" });
    expect(await bob.waitForType("chat")).toMatchObject({ text: "anyone?", from: carol.welcome.you });
  });

  it("two users joining at once with the same name get different names", async () => {
    const backend = new GatedSessionBackend({ nodeId: "slow" });
    backend.sessions.hold();
    server = await fixture.start({}, { backend });
    const joining = [1, 2].map(() => TestClient.join(server?.wsUrl ?? "", { room: "r", name: "alice" }));
    // Both joins are inside the store at once before either goes on.
    await waitUntil(() => backend.sessions.waiting === 2, { what: "both joins to wait on the store" });
    backend.sessions.release();
    const both = await Promise.all(joining);
    fixture.track(...both);
    expect(both.map((client) => client.welcome.you.name).sort()).toEqual(["alice", "alice (2)"]);
    const resumed = both.find((client) => client.welcome.you.name === "alice (2)");
    await resumed?.close();
    const again = await TestClient.join(server.wsUrl, { room: "r", session: resumed?.welcome.session ?? "" });
    fixture.track(again);
    expect(again.welcome.you.name).toBe("alice (2)");
  });

  it("a connection still joining when the server shuts down is closed with 1001 and never welcomed", async () => {
    const backend = new GatedSessionBackend({ nodeId: "slow" });
    server = await fixture.start({}, { backend });
    const present = await TestClient.join(server.wsUrl, { room: "r", name: "present" });
    backend.sessions.hold();
    const joining = await TestClient.connect(server.wsUrl, { query: { room: "r", name: "joining" } });
    await waitUntil(() => backend.sessions.waiting === 1, { what: "the join to wait on the store" });
    const closing = server.close();
    expect((await joining.waitForClose()).code).toBe(1001);
    expect((await present.waitForClose()).code).toBe(1001);
    await closing;
    // The held join goes on after the shutdown: it must not welcome anyone or count again.
    backend.sessions.release();
    await waitUntil(() => backend.sessions.released === 1, { what: "the held session write to finish" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(joining.ofType("welcome")).toEqual([]);
    expect(server.app.hub.connectionCount).toBe(0);
  });

  it("a room that empties and fills again keeps counting seq", async () => {
    const clock = new ServerClock();
    server = await fixture.start({ PRESENCE_GRACE_MS: "20" }, { timers: clock });
    const alice = await TestClient.join(server.wsUrl, { room: "r", name: "alice" });
    alice.send({ type: "chat", text: "one", clientMsgId: "a1" });
    await alice.waitForType("ack");
    await alice.close();
    await server.waitForConnections(0);
    await clock.advance(server.config.limits.presenceGraceMs + server.config.limits.systemFlushMs);
    const listing = () => fetch(`${server?.url}/api/rooms`).then((response) => response.json());
    await waitUntil(async () => JSON.stringify(await listing()) === JSON.stringify({ rooms: [] }), { what: "the room to empty" });
    expect(await listing()).toEqual({ rooms: [] });
    const bob = await TestClient.join(server.wsUrl, { room: "r", name: "bob" });
    fixture.track(bob);
    expect(bob.welcome.latestSeq).toBe(1);
    bob.send({ type: "chat", text: "two", clientMsgId: "b1" });
    expect(await bob.waitForType("chat")).toMatchObject({ seq: 2 });
  });
});
