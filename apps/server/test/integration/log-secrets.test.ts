// No secret in any log at any level: the real server process at LOG_LEVEL=trace sees a session
// token used every way a client uses one (hello, a resume after a drop, a replaced connection, a
// rename, an outdated client that still puts it in the URL), and its output holds the token nowhere.
import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { ServerProcess } from "../support/server-process";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";

const cleanup = useCleanup();

/** Every run of `length` characters of `token`: a log that kept part of it (`lvBy…`) is caught too. */
function windows(token: string, length: number): string[] {
  return Array.from({ length: token.length - length + 1 }, (_, i) => token.slice(i, i + length));
}

/** Stops `server` gracefully (so every line it meant to write is written) and returns its output, line by line. */
async function outputLines(server: ServerProcess): Promise<string[]> {
  expect(await server.kill("SIGTERM")).toEqual({ code: 0, signal: null });
  const { stdout, stderr } = server.output();
  return `${stdout}\n${stderr}`.split("\n");
}

/**
 * The lines that hold `token`, whole or any 12 characters of it, or a `session=` with a value:
 * none may. (A request log may name the parameter of an outdated client's URL, `session=…`.)
 */
function expectNoToken(lines: string[], token: string): void {
  expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
  // The lines themselves in the failure, so it says where the token leaked.
  expect(lines.filter((line) => line.includes(token))).toEqual([]);
  const parts = windows(token, 12);
  expect(lines.filter((line) => parts.some((part) => line.includes(part)))).toEqual([]);
  expect(lines.filter((line) => /session=[A-Za-z0-9_-]/.test(line))).toEqual([]);
}

describe.each(["production", "development"])("the server's output at LOG_LEVEL=trace (NODE_ENV=%s)", (nodeEnv) => {
  const start = async () => cleanup.spawnServer(await cleanup.serverEnv({ NODE_ENV: nodeEnv, LOG_LEVEL: "trace" }));

  it("holds no session token after hello, two rooms, a drop and resume, a rename and a replaced connection", {
    timeout: 60_000,
  }, async () => {
    const server = await start();

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
    await replacing.close();

    const lines = await outputLines(server);
    // The test saw the log: at trace level each of the three /ws requests was written.
    expect(lines.filter((line) => line.includes("/ws")).length).toBeGreaterThanOrEqual(3);
    expectNoToken(lines, token);
    // Protocol 2 puts nothing in the URL, so no line even names the parameter.
    expect(lines.filter((line) => line.includes("session="))).toEqual([]);
  });

  it("holds no session token that an outdated client put in the /ws URL, which is refused with 4505", { timeout: 60_000 }, async () => {
    const server = await start();
    const client = cleanup.track(await TestClient.open(server.wsUrl, { name: "alice" }));
    const token = client.ready.session;
    await client.close();
    // A tab still running protocol 1's page after a deploy reconnects the old way.
    const outdated = cleanup.track(await TestClient.connect(server.wsUrl, { query: { room: "red", session: token } }));
    expect((await outdated.waitForClose()).code).toBe(CLOSE_CODES.unsupportedProtocol.code);

    const lines = await outputLines(server);
    expect(lines.some((line) => line.includes("/ws"))).toBe(true);
    expectNoToken(lines, token);
  });
});
