import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type TempDir, tempDir } from "../support/temp-dir";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";
import { waitUntil } from "../support/wait-until";

/**
 * docs/protocol.md ends with a complete client for people to copy. It is run here, as written, so
 * the example cannot drift from the protocol: two rooms on one connection, both directions.
 */
const doc = readFileSync(new URL("../../../../docs/protocol.md", import.meta.url), "utf8");
const script = /```js\n(\/\/ chat\.mjs[\s\S]*?)```/.exec(doc)?.[1];
const serverModules = new URL("../../node_modules", import.meta.url).pathname;

describe("the minimal client in docs/protocol.md", () => {
  const fixture = useTestServer();
  let child: ChildProcessWithoutNullStreams | undefined;
  let dir: TempDir | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
    child = undefined;
    dir?.remove();
    dir = undefined;
  });

  it("joins two rooms on one connection, sends to each and shows what others send", async () => {
    expect(script, "the doc's chat.mjs block").toBeDefined();
    dir = tempDir("chatroom-minimal-client-");
    // The script imports `ws`: give its folder the server's node_modules, where `ws` is installed.
    symlinkSync(serverModules, join(dir.path, "node_modules"), "dir");
    writeFileSync(join(dir.path, "chat.mjs"), script ?? "");
    const server = await fixture.start();
    const bob = await TestClient.join(server.wsUrl, { room: "lobby", name: "bob" });
    fixture.track(bob);
    await bob.join("dev");

    let output = "";
    child = spawn(process.execPath, [join(dir.path, "chat.mjs"), server.wsUrl, "cli", "lobby", "dev"], { cwd: dir.path });
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    await waitUntil(() => output.includes("* joined lobby as cli") && output.includes("* joined dev as cli"), {
      what: "the client joined both rooms",
      describe: () => output,
    });

    child.stdin.write("hello lobby\n/r dev hello dev\n");
    const inLobby = await bob.waitFor((frame) => frame.type === "chat" && frame.room === "lobby" && frame.text === "hello lobby");
    const inDev = await bob.waitFor((frame) => frame.type === "chat" && frame.room === "dev" && frame.text === "hello dev");
    expect(inLobby).toMatchObject({ from: { name: "cli" } });
    expect(inDev).toMatchObject({ from: { name: "cli" } });

    // Its own messages come back as chats and are shown like anyone's (the ack must not hide them).
    await waitUntil(() => /\[lobby \d+\] cli: hello lobby/.test(output) && /\[dev \d+\] cli: hello dev/.test(output), {
      what: "the client showed its own messages",
      describe: () => output,
    });
    bob.chat("dev", "hi cli", "b-1");
    await waitUntil(() => /\[dev \d+\] bob: hi cli/.test(output), { what: "the client showed bob's chat in dev", describe: () => output });
  });
});
