// No secret in any log at any level: the real server process at LOG_LEVEL=trace sees a session
// token used every way a client uses one (hello, a resume after a drop, a replaced connection, a
// rename, an outdated client that still puts it in the URL), and its output holds the token nowhere.
import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";

const cleanup = useCleanup();

/** Every run of `length` characters of `token`: a log that kept part of it (`lvBy…`) is caught too. */
function windows(token: string, length: number): string[] {
  return Array.from({ length: token.length - length + 1 }, (_, i) => token.slice(i, i + length));
}

describe.each(["production", "development"])("the server's output at LOG_LEVEL=trace (NODE_ENV=%s)", (nodeEnv) => {
  it("holds no session token, whole or in part, and no line says session=", { timeout: 60_000 }, async () => {
    const env = await cleanup.serverEnv({ NODE_ENV: nodeEnv, LOG_LEVEL: "trace" });
    const server = await cleanup.spawnServer(env);

    // hello, two rooms, a chat in each.
    const first = cleanup.track(await TestClient.join(server.wsUrl, { room: "red", name: "alice" }));
    const token = first.ready.session;
    await first.join("blue");
    first.chat("red", "in red", "red-1");
    first.chat("blue", "in blue", "blue-1");
    await first.waitForCount("ack", 2);

    // Dropped without a goodbye, then resumed with the session in both rooms.
    first.terminate();
    await first.closed;
    const resumed = cleanup.track(await TestClient.join(server.wsUrl, { room: "red", session: token, since: 1 }));
    expect(resumed.ready.session).toBe(token);
    await resumed.join("blue", { since: 1 });
    resumed.chat("blue", "back again", "blue-2");
    await resumed.waitForType("ack");

    // A rename, then a newer connection of the same session replaces this one.
    resumed.send({ type: "rename", name: "alicia" });
    await resumed.waitFor((frame) => frame.type === "system" && frame.renamed.length > 0);
    const replacing = cleanup.track(await TestClient.open(server.wsUrl, { session: token }));
    expect((await resumed.waitForClose()).code).toBe(CLOSE_CODES.replaced.code);
    expect(replacing.ready.rooms.map((entry) => entry.room)).toEqual(["blue", "red"]);

    // An outdated client that still sends its token in the URL is refused, and not logged either.
    const outdated = cleanup.track(await TestClient.connect(server.wsUrl, { query: { room: "red", session: token } }));
    expect((await outdated.waitForClose()).code).toBe(CLOSE_CODES.unsupportedProtocol.code);
    await replacing.close();

    // Stopped gracefully, so every line it meant to write is written.
    expect(await server.kill("SIGTERM")).toEqual({ code: 0, signal: null });
    const { stdout, stderr } = server.output();
    const output = `${stdout}\n${stderr}`;
    // The test saw the log: requests at trace level were written, /ws among them.
    expect(output).toContain("/ws");
    expect(output.split("\n").length).toBeGreaterThan(10);

    expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(output.includes(token), "the whole token is in the output").toBe(false);
    const leaked = windows(token, 12).filter((part) => output.includes(part));
    expect(leaked, "12-character runs of the token found in the output").toEqual([]);
    expect(output.split("\n").filter((line) => line.includes("session="))).toEqual([]);
  });
});
