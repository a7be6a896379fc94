// `pnpm dev` is the README's first command: the server in watch mode plus Vite, with /ws proxied.
// This runs it for real, chats through Vite's proxy, and makes sure nothing is left running.
// (apps/server/test/integration/dev-script.test.ts covers its banner, quiet polling and Ctrl+C.)
// `pnpm start:cluster` is checked here too, since it needs the production build: a Ctrl+C stops
// both nodes, then Redis, and exits with status 0.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { expect, test } from "@playwright/test";
import { freePort } from "../apps/server/test/support/free-port";
import { accepts, processTree, signalGroup } from "../apps/server/test/support/process-tree";
import { TestClient } from "../apps/server/test/support/test-client";
import { waitUntil } from "../apps/server/test/support/wait-until";
import { ChatTab, uniqueRoom } from "./support/chat-page";

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

test("pnpm start:cluster starts two nodes on one Redis, and a Ctrl+C stops nodes, then Redis, with status 0", async () => {
  // Its own process group, like a shell's foreground job: the SIGINT below is what Ctrl+C sends.
  const cluster = spawn(process.execPath, ["scripts/cluster.mjs"], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let raw = "";
  const keep = (chunk: Buffer) => {
    raw += chunk.toString();
  };
  cluster.stdout?.on("data", keep);
  cluster.stderr?.on("data", keep);
  const output = () => stripVTControlCharacters(raw);
  const exited = once(cluster, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    const exitedEarly = () => cluster.exitCode !== null || cluster.signalCode !== null;
    await waitUntil(() => output().includes("Ctrl+C stops everything") || exitedEarly(), {
      what: "start:cluster to be ready",
      timeoutMs: 90_000,
      intervalMs: 250,
      describe: output,
    });
    if (exitedEarly()) throw new Error(`start:cluster exited early:\n${output()}`);
    const urls = [...output().matchAll(/node-[ab] {2}(http:\/\/\S+)/g)].map((match) => match[1] ?? "");
    expect(urls).toHaveLength(2);
    for (const url of urls) expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const aofDir = /AOF in (\S+)\)/.exec(output())?.[1] ?? "";
    expect(aofDir).not.toBe("");

    signalGroup(cluster.pid ?? 0, "SIGINT");
    const [code, signal] = await exited;
    const text = output();
    expect({ code, signal, text: text.slice(-3000) }).toMatchObject({ code: 0, signal: null });
    expect(text).not.toMatch(/did not stop cleanly|exited \(|ELIFECYCLE/);
    // Both nodes were done before Redis heard of the stop (the terminal's SIGINT reaches only the script).
    const redisStop = text.indexOf("Received SIG");
    expect(text).not.toContain("Received SIGINT");
    expect(redisStop).toBeGreaterThan(-1);
    for (const name of ["node-a", "node-b"]) {
      expect(text.lastIndexOf(`[${name}]`)).toBeGreaterThan(-1);
      expect(text.lastIndexOf(`[${name}]`)).toBeLessThan(redisStop);
    }
    expect(existsSync(aofDir)).toBe(false);
    for (const url of urls) await expectNotListening(Number(new URL(url).port));
  } finally {
    await stopGroup(cluster);
  }
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

/** Nothing accepts connections on `port`, once a stopping process has let go of it. */
async function expectNotListening(port: number): Promise<void> {
  await waitUntil(async () => !(await accepts(port)), { what: `port ${port} to be free`, intervalMs: 250 }).catch(() => undefined);
  expect(await accepts(port)).toBe(false);
}

/**
 * SIGTERM to the group (dev.mjs passes it on to its children, which run in groups of their own),
 * then SIGKILL to every group the tree had, so a bug in dev.mjs cannot leave a server behind.
 */
async function stopGroup(dev: ChildProcess): Promise<void> {
  const pid = dev.pid;
  if (pid === undefined) return;
  const groups = new Set([pid, ...processTree(pid).map((member) => member.pgid)]);
  const exited = dev.exitCode !== null || dev.signalCode !== null ? Promise.resolve() : once(dev, "exit").then(() => undefined);
  signalGroup(pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  // dev.mjs waits for its children before it exits; anything still alive now is stuck.
  for (const group of groups) signalGroup(group, "SIGKILL");
}
