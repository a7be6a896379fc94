import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { MemorySessionStore } from "../../src/backend/memory/session-store";
import type { SessionRecord } from "../../src/backend/session-store";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();
let server: StartedServer | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store with network latency on session writes, as Redis has. */
class SlowSessionStore extends MemorySessionStore {
  delayMs = 0;
  override async save(token: string, record: SessionRecord): Promise<void> {
    if (this.delayMs > 0) await sleep(this.delayMs);
    return super.save(token, record);
  }
}

class SlowSessionBackend extends MemoryBackend {
  override readonly sessions = new SlowSessionStore();
  set sessionDelayMs(ms: number) {
    this.sessions.delayMs = ms;
  }
}

describe("room lifecycle", () => {
  it("a room emptied while someone is joining it is not split in two", async () => {
    const backend = new SlowSessionBackend({ nodeId: "slow" });
    server = await fixture.start({ PRESENCE_GRACE_MS: "30" }, { backend });
    const alice = await TestClient.join(server.wsUrl, { room: "r", name: "alice" });
    await alice.close();
    // Bob's join finds the room, then waits on the store while alice's grace runs out.
    backend.sessionDelayMs = 150;
    const bobJoining = TestClient.join(server.wsUrl, { room: "r", name: "bob" });
    await sleep(100);
    backend.sessionDelayMs = 0;
    const bob = await bobJoining;
    fixture.track(bob);
    const carol = await TestClient.join(server.wsUrl, { room: "r", name: "carol" });
    fixture.track(carol);
    expect(carol.welcome.members.map((member) => member.name).sort()).toEqual(["bob", "carol"]);
    carol.send({ type: "chat", text: "anyone?", clientMsgId: "c1" });
    expect(await bob.waitForType("chat")).toMatchObject({ text: "anyone?", from: carol.welcome.you });
  });

  it("two users joining at once with the same name get different names", async () => {
    const backend = new SlowSessionBackend({ nodeId: "slow" });
    backend.sessionDelayMs = 50;
    server = await fixture.start({}, { backend });
    const both = await Promise.all([1, 2].map(() => TestClient.join(server?.wsUrl ?? "", { room: "r", name: "alice" })));
    fixture.track(...both);
    expect(both.map((client) => client.welcome.you.name).sort()).toEqual(["alice", "alice (2)"]);
    const resumed = both.find((client) => client.welcome.you.name === "alice (2)");
    await resumed?.close();
    const again = await TestClient.join(server.wsUrl, { room: "r", session: resumed?.welcome.session ?? "" });
    fixture.track(again);
    expect(again.welcome.you.name).toBe("alice (2)");
  });

  it("a connection still joining when the server shuts down is closed with 1001 and never welcomed", async () => {
    const backend = new SlowSessionBackend({ nodeId: "slow" });
    server = await fixture.start({}, { backend });
    const present = await TestClient.join(server.wsUrl, { room: "r", name: "present" });
    backend.sessionDelayMs = 200;
    const joining = await TestClient.connect(server.wsUrl, { query: { room: "r", name: "joining" } });
    const closing = server.close();
    expect((await joining.waitForClose()).code).toBe(1001);
    expect((await present.waitForClose()).code).toBe(1001);
    await closing;
    await sleep(250);
    expect(joining.ofType("welcome")).toEqual([]);
    expect(server.app.hub.connectionCount).toBe(0);
  });

  it("a room that empties and fills again keeps counting seq", async () => {
    server = await fixture.start({ PRESENCE_GRACE_MS: "20" });
    const alice = await TestClient.join(server.wsUrl, { room: "r", name: "alice" });
    alice.send({ type: "chat", text: "one", clientMsgId: "a1" });
    await alice.waitForType("ack");
    await alice.close();
    await sleep(80);
    expect(await (await fetch(`${server.url}/api/rooms`)).json()).toEqual({ rooms: [] });
    const bob = await TestClient.join(server.wsUrl, { room: "r", name: "bob" });
    fixture.track(bob);
    expect(bob.welcome.latestSeq).toBe(1);
    bob.send({ type: "chat", text: "two", clientMsgId: "b1" });
    expect(await bob.waitForType("chat")).toMatchObject({ seq: 2 });
  });
});
