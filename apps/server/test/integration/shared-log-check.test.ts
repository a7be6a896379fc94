import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { ServerClock } from "../support/fake-clock";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();
const CHECK_MS = 500;

/** The memory store as if other writers shared it (as PostgreSQL's nodes do), its `latestSeqs` reads counted. */
class SharedMemoryBackend extends MemoryBackend {
  override readonly sharedLog: boolean;
  latestSeqsCalls = 0;

  constructor(sharedLog: boolean) {
    super({ nodeId: "node-a" });
    this.sharedLog = sharedLog;
    const read = this.messages.latestSeqs.bind(this.messages);
    this.messages.latestSeqs = (rooms) => {
      this.latestSeqsCalls++;
      return read(rooms);
    };
  }

  /** A commit by another writer: stored, never told to this node's rooms. */
  async commitElsewhere(room: string, clientMsgId: string): Promise<void> {
    const result = await this.messages.append({ room, actor: { id: "u_far", name: "far" }, clientMsgId, kind: "chat", text: "from afar" });
    if (!result.ok) throw new Error(`append refused: ${result.code}`);
  }
}

describe("the latest-seq check follows the backend's sharedLog", () => {
  it("a backend other writers share: a client gets what another writer committed at the next check", async () => {
    const backend = new SharedMemoryBackend(true);
    const clock = new ServerClock();
    const server = await fixture.start({ CLUSTER_SEQ_CHECK_MS: String(CHECK_MS) }, { backend, timers: clock });
    const alice = await fixture.join({ room: "shared", name: "alice" });
    await backend.commitElsewhere("shared", "far-1");
    await clock.advance(CHECK_MS);
    expect(await alice.waitForType("chat")).toMatchObject({ room: "shared", seq: 1, text: "from afar", from: { name: "far" } });
    expect(backend.latestSeqsCalls).toBe(1);
    expect(server.app.backend.sharedLog).toBe(true);
  });

  it("a backend only this node writes never runs the check", async () => {
    const backend = new SharedMemoryBackend(false);
    const clock = new ServerClock();
    await fixture.start({ CLUSTER_SEQ_CHECK_MS: String(CHECK_MS) }, { backend, timers: clock });
    await fixture.join({ room: "alone", name: "alice" });
    await clock.advance(CHECK_MS * 4);
    expect(backend.latestSeqsCalls).toBe(0);
  });
});
