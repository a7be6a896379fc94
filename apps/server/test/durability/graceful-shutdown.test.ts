import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { onlyChats, TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";

const cleanup = useCleanup();

describe("graceful shutdown", () => {
  it("on SIGTERM announces a notice, closes every socket with 1001, keeps the store and exits 0 within 10 s", async () => {
    // The server holds itself to the 10 s: past SHUTDOWN_GRACE_MS it exits 1, so exit 0 is "within".
    const env = await cleanup.serverEnv({ SHUTDOWN_GRACE_MS: "10000" });
    const server = await cleanup.spawnServer(env);

    const people = await Promise.all(
      [
        { room: "one", name: "alice" },
        { room: "one", name: "bob" },
        { room: "two", name: "carol" },
      ].map((query) => TestClient.join(server.wsUrl, query)),
    );
    for (const person of people) cleanup.track(person);
    const alice = people[0] as (typeof people)[number];
    alice.chat("one", "before shutdown", "pre-1");
    await alice.waitForType("ack");

    server.child.kill("SIGTERM");
    for (const person of people) {
      const from = person.frames.length - 1;
      const notice = await person.waitFor((frame) => frame.type === "system" && frame.notice !== undefined, { from: Math.max(0, from) });
      expect(notice.type === "system" && notice.notice).toMatch(/\S/);
      const closed = await person.waitForClose(10_000);
      expect(closed.code).toBe(CLOSE_CODES.shuttingDown.code);
      // The notice is the last thing before the close.
      expect(person.frames.at(-1)).toBe(notice);
    }
    const status = await server.exited;
    expect(status).toEqual({ code: 0, signal: null });
    expect(server.output().stderr).toBe("");

    const restarted = await cleanup.spawnServer(env);
    const back = cleanup.track(await TestClient.join(restarted.wsUrl, { room: "one", session: alice.ready.session, since: 0 }));
    expect(back.ready.you).toEqual(alice.ready.you);
    expect(back.joined.you).toEqual(alice.joined.you);
    // The membership survived the shutdown too.
    expect(back.ready.rooms.map((entry) => entry.room)).toEqual(["one"]);
    expect(onlyChats(back.joined.messages).map((message) => message.clientMsgId)).toEqual(["pre-1"]);
  });

  it("SIGINT shuts down the same way", async () => {
    const server = await cleanup.spawnServer(await cleanup.serverEnv({ HISTORY: "memory" }));
    const client = cleanup.track(await TestClient.join(server.wsUrl, { name: "alice" }));
    server.child.kill("SIGINT");
    expect((await client.waitForClose(10_000)).code).toBe(CLOSE_CODES.shuttingDown.code);
    expect(client.ofType("system").some((frame) => frame.notice !== undefined)).toBe(true);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
