// Names cannot be impersonated: a look-alike (same TS #39 skeleton) gets the suffix in a room, on
// one node and across two nodes (PostgreSQL + Redis); a name mixing scripts is refused with the reason;
// single-script names of any script, and Latin with Han and Kana, are welcome.
import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { type StartedServer, startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useClusterNodes } from "../support/use-cluster-nodes";

const NAME_REFUSED = "name_refused";

const nodes = useClusterNodes<TestClient>({ database: "look_alike" });
/**
 * A bound for the cross-node waits, not a speed target: a join and a leave each pass through
 * PostgreSQL (admission, membership) and Redis (presence) before the other node hears of them;
 * beside a CI run that took over the client's default 5 s once (run 76).
 */
const ACROSS_NODES = { timeoutMs: 20_000 };
const { servers, clients } = nodes;

async function joined(wsUrl: string, room: string, name: string) {
  const client = await TestClient.join(wsUrl, { room, name });
  clients.push(client);
  return client;
}

describe("look-alike names", () => {
  it("on one node: `сосо` (Cyrillic) next to `coco`, `B0B` next to `bob`, `aIice` (capital I) next to `alice` get the suffix", async () => {
    const server = await startServer();
    servers.push(server);
    await joined(server.wsUrl, "names", "coco");
    const cyrillic = await joined(server.wsUrl, "names", "сосо");
    expect(cyrillic.joined.you.name).toBe("сосо (2)");
    await joined(server.wsUrl, "names", "bob");
    expect((await joined(server.wsUrl, "names", "B0B")).joined.you.name).toBe("B0B (2)");
    await joined(server.wsUrl, "names", "alice");
    expect((await joined(server.wsUrl, "names", "aIice")).joined.you.name).toBe("aIice (2)");
  });

  it("across two nodes: the second look-alike, on the other node, gets the suffix", async () => {
    const [a, b] = await nodes.startTwo();
    const onA = await joined(a.wsUrl, "twins", "coco");
    const onB = await joined(b.wsUrl, "twins", "сосо");
    expect(onB.joined.you.name).toBe("сосо (2)");
    // Both nodes show the two as two people under distinct names.
    await onA.waitFor((frame) => frame.type === "system" && frame.joined.some((user) => user.name === "сосо (2)"), ACROSS_NODES);
    // A rename on node B to a look-alike of the name held on node A is refused cluster-wide.
    onB.send({ type: "rename", name: "C0C0" });
    expect(await onB.waitFor((frame) => frame.type === "error", ACROSS_NODES)).toMatchObject({ code: "name_taken" });
    // A capital I for an l, across nodes: the second gets the suffix.
    await joined(a.wsUrl, "twins", "alice");
    expect((await joined(b.wsUrl, "twins", "aIice")).joined.you.name).toBe("aIice (2)");
    // A leave frees every key of the name: on node B, `alice` is free again once node A's alice is gone.
    // Node B first tells alice's arrival: a join and a leave that fall in one coalescing window are
    // told as nothing (presence-window.ts), so without this wait the leave may never be announced.
    await onB.waitFor((frame) => frame.type === "system" && frame.joined.some((user) => user.name === "alice"), ACROSS_NODES);
    const aliceOnA = clients.at(-2) as TestClient;
    await aliceOnA.leave("twins");
    await onB.waitFor((frame) => frame.type === "system" && frame.left.some((user) => user.name === "alice"), ACROSS_NODES);
    expect((await joined(b.wsUrl, "twins", "ALICE")).joined.you.name).toBe("ALICE");
  });

  it("refuses a hello whose name mixes scripts, saying which, then closes", async () => {
    const server = await startServer();
    servers.push(server);
    const client = await TestClient.connect(server.wsUrl);
    clients.push(client);
    await expect(client.hello({ name: "pаypal" })).rejects.toThrow(/mixes scripts \(Latin, Cyrillic\)/);
    expect(client.ofType("error")).toMatchObject([{ code: NAME_REFUSED }]);
    expect((await client.closed).code).toBe(CLOSE_CODES.badRequest.code);
  });

  it("refuses a rename that mixes scripts with the reason, and the connection stays", async () => {
    const server = await startServer();
    servers.push(server);
    const client = await joined(server.wsUrl, "mixed", "alice");
    client.send({ type: "rename", name: "аlice" });
    const error = await client.waitFor((frame) => frame.type === "error");
    expect(error).toMatchObject({ code: NAME_REFUSED, message: expect.stringMatching(/^name mixes scripts \(Cyrillic, Latin\)/) });
    client.chat("mixed", "still here", "c-1");
    expect((await client.waitFor((frame) => frame.type === "ack")).type).toBe("ack");
  });

  it.each([
    ["Chinese", "王小明"],
    ["Cyrillic", "Иван"],
    ["Latin + Han + Kana", "Tanaka 田中たなかタナカ"],
  ])("welcomes a name in %s: %j", async (_label, name) => {
    const server = servers[0] as StartedServer;
    const client = await joined(server.wsUrl, "welcome", name);
    expect(client.joined.you.name).toBe(name);
  });
});
