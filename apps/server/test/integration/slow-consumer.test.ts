import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";
import { waitUntil } from "../support/wait-until";

const fixture = useTestServer();
let server: StartedServer | undefined;

/** 2000 code points of 4 UTF-8 bytes each: the largest chat text the default limits allow. */
const BIG_TEXT = "😀".repeat(2000);

async function fill(count: number): Promise<TestClient> {
  const writer = await TestClient.join(server?.wsUrl ?? "", { name: "writer" });
  fixture.track(writer);
  for (let i = 0; i < count; i++) writer.chat("lobby", BIG_TEXT, `big-${i}`);
  await writer.waitForCount("ack", count, 20_000);
  return writer;
}

describe("slow consumers", () => {
  it("a resume whose joined frame alone is over the bound survives a reader that is briefly slow", async () => {
    // 500 messages of 8 KB: a 4 MB joined frame against the default 1 MiB bound.
    server = await fixture.start({ RATE_PER_SECOND: "100000", RATE_BURST: "100000" });
    await fill(500);
    const reader = await TestClient.open(server.wsUrl);
    fixture.track(reader);
    const sentBefore = (await server.metric("chat_bytes_out_total")) ?? 0;
    reader.send({ type: "join", room: "lobby", since: 0 });
    reader.socket.pause();
    // Slow for as long as it takes the server to queue the whole joined frame, far over the bound.
    await waitUntil(async () => ((await server?.metric("chat_bytes_out_total")) ?? 0) >= sentBefore + 500 * BIG_TEXT.length * 2, {
      what: "the server to queue the 4 MB joined frame",
    });
    reader.socket.resume();
    const joined = await reader.waitForType("joined", { timeoutMs: 10_000 });
    expect(joined.messages).toHaveLength(500);
    expect(joined.complete).toBe(true);
    reader.send({ type: "ping", t: 1 });
    await reader.waitForType("pong");
    expect(reader.isOpen).toBe(true);
  });

  it("a reader that stops reading the live stream is still closed with 4008", async () => {
    server = await fixture.start({ RATE_PER_SECOND: "100000", RATE_BURST: "100000", SLOW_CONSUMER_BYTES: "262144" });
    const reader = await TestClient.join(server.wsUrl, { name: "reader" });
    fixture.track(reader);
    reader.socket.pause();
    const writer = await TestClient.join(server.wsUrl, { name: "writer" });
    fixture.track(writer);
    // In small batches, so the writer (who reads) stays under the bound while the reader does not;
    // until the server has dropped the reader (a paused reader cannot see its own close yet), and
    // no longer, so the reader reads its backlog and the close frame before the server gives up
    // waiting for the closing handshake.
    const dropped = async () => ((await server?.metric(`chat_server_closes_total{code="${CLOSE_CODES.tooSlow.code}"}`)) ?? 0) > 0;
    for (let i = 0; i < 1000; i++) {
      writer.chat("lobby", BIG_TEXT, `live-${i}`);
      if (i % 10 !== 9) continue;
      await writer.waitForCount("ack", i + 1);
      if (await dropped()) break;
    }
    expect(await dropped()).toBe(true);
    reader.socket.resume();
    expect((await reader.waitForClose(10_000)).code).toBe(CLOSE_CODES.tooSlow.code);
    expect(writer.isOpen).toBe(true);
  });
});
