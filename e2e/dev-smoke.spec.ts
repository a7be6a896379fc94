// `pnpm dev` is the README's first command: the server in watch mode plus Vite, with /ws proxied.
// This runs it for real, chats through Vite's proxy, and makes sure nothing is left running.
// (apps/server/test/integration/dev-script.test.ts covers its banner, quiet polling and Ctrl+C.)
// (`pnpm start:cluster` has its own: e2e/cluster-script.spec.ts.)
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { freePort } from "../apps/server/test/support/free-port";
import { TestClient } from "../apps/server/test/support/test-client";
import { waitUntil } from "../apps/server/test/support/wait-until";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expectNotListening, stopGroup } from "./support/process-group";

test.setTimeout(180_000);

test("pnpm dev serves the page and chats through the Vite proxy's /ws, and stops cleanly", async ({ browser }) => {
  const serverPort = await freePort();
  const webPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "chatroom-dev-smoke-"));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(serverPort), WEB_PORT: String(webPort), DATA_DIR: dataDir };
  // `pnpm dev` is development mode, whatever the test runner's environment says.
  delete env.NODE_ENV;

  // Its own process group, so the whole tree (pnpm, tsx, node, vite, esbuild) can be signalled at once.
  const dev = spawn("pnpm", ["dev"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  dev.stdout?.on("data", keep);
  dev.stderr?.on("data", keep);

  const webOrigin = `http://localhost:${webPort}`;
  const clients: TestClient[] = [];
  try {
    await waitFor(`http://127.0.0.1:${serverPort}/healthz`, dev, () => output);
    await waitFor(`${webOrigin}/`, dev, () => output);

    // Two protocol clients through the proxy: a message fans out to both, the sender included.
    const room = uniqueRoom("dev");
    const wsUrl = `ws://localhost:${webPort}/ws`;
    const ann = await TestClient.join(wsUrl, { room, name: "ann" });
    clients.push(ann);
    const ben = await TestClient.join(wsUrl, { room, name: "ben" });
    clients.push(ben);
    expect(ann.joined.room).toBe(room);
    ann.chat(room, "hello through the proxy", "smoke-1");
    const [atAnn, atBen] = await Promise.all([
      ann.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "smoke-1", { timeoutMs: 10_000 }),
      ben.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "smoke-1", { timeoutMs: 10_000 }),
    ]);
    expect(atBen).toEqual(atAnn);
    expect(atBen.type === "chat" && atBen.from.name).toBe("ann");
    await ann.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === "smoke-1", { timeoutMs: 10_000 });

    // And the page Vite serves joins the same room and chats with them.
    const tab = await ChatTab.open(browser, webOrigin, room, "cleo");
    try {
      await expect(tab.messagesWith("hello through the proxy")).toHaveCount(1);
      await tab.send("hello from the dev page");
      const fromPage = await ben.waitFor((frame) => frame.type === "chat" && frame.text === "hello from the dev page", {
        timeoutMs: 10_000,
      });
      expect(fromPage.type === "chat" && fromPage.from.name).toBe("cleo");
    } finally {
      await tab.close();
    }
    // Every frame either client got was protocol 2.
    for (const client of clients) expect(client.invalid).toEqual([]);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await stopGroup(dev);
    rmSync(dataDir, { recursive: true, force: true });
  }
  // Nothing is left listening on either port.
  await expectNotListening(serverPort);
  await expectNotListening(webPort);
});

async function waitFor(url: string, dev: ChildProcess, output: () => string): Promise<void> {
  const exited = () => dev.exitCode !== null || dev.signalCode !== null;
  await waitUntil(async () => exited() || (await fetch(url)).ok, {
    what: `${url} to answer`,
    timeoutMs: 90_000,
    intervalMs: 250,
    describe: output,
  });
  if (exited()) throw new Error(`pnpm dev exited early:\n${output()}`);
}
