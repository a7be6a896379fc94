// `pnpm start:cluster` as a person runs it (scripts/cluster.mjs, from the production build): a
// temp PostgreSQL, Redis and two nodes; a chat sent on one node is read on the other; then a
// Ctrl+C stops the nodes, then Redis, then PostgreSQL, exits 0, and leaves no process, no port
// and no temp dir behind.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { expect, test } from "@playwright/test";
import { alive, processTree, signalGroup } from "../apps/server/test/support/process-tree";
import { TestClient } from "../apps/server/test/support/test-client";
import { waitUntil } from "../apps/server/test/support/wait-until";
import { uniqueRoom } from "./support/chat-page";
import { expectNotListening, stopGroup } from "./support/process-group";

test.setTimeout(180_000);

test("pnpm start:cluster: PostgreSQL, Redis and two nodes share a room; Ctrl+C stops it all, in order, leaving nothing behind", async () => {
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
  const clients: TestClient[] = [];
  let postgresDir = "";
  let postmaster = -1;
  try {
    const exitedEarly = () => cluster.exitCode !== null || cluster.signalCode !== null;
    await waitUntil(() => output().includes("Ctrl+C stops everything") || exitedEarly(), {
      what: "start:cluster to be ready",
      timeoutMs: 120_000,
      intervalMs: 250,
      describe: output,
    });
    if (exitedEarly()) throw new Error(`start:cluster exited early:\n${output()}`);

    const printed = output();
    const urls = [...printed.matchAll(/node-[ab] {2}(http:\/\/\S+)/g)].map((match) => match[1] ?? "");
    expect(urls).toHaveLength(2);
    postgresDir = /temp cluster in (\S+)\)/.exec(printed)?.[1] ?? "";
    const redisDir = /nothing persisted; dir (\S+)\)/.exec(printed)?.[1] ?? "";
    const databaseUrl = new URL(/PostgreSQL {2}(postgres:\/\/\S+)/.exec(printed)?.[1] ?? "postgres://missing");
    const redisUrl = new URL(/Redis {7}(redis:\/\/\S+)/.exec(printed)?.[1] ?? "redis://missing");
    expect(existsSync(postgresDir) && existsSync(redisDir)).toBe(true);
    // No password anywhere in what it prints: the temp cluster trusts its superuser on loopback.
    expect(databaseUrl.password).toBe("");
    for (const url of urls) expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // Every process it started, looked up now: the nodes and Redis are the script's children;
    // PostgreSQL is not (pg_ctl detaches the postmaster), so it is found through its pid file.
    postmaster = Number(readFileSync(join(postgresDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    expect(alive(postmaster)).toBe(true);
    const started = [...processTree(cluster.pid ?? 0), { pid: postmaster }, ...processTree(postmaster)].map(({ pid }) => pid);

    // One room across the two nodes: a chat sent on either is read on the other under the seq its sender was acked with.
    const [urlA, urlB] = urls.map((url) => `${url.replace(/^http/, "ws")}/ws`);
    const room = uniqueRoom("cluster-script");
    const ann = await TestClient.join(urlA ?? "", { room, name: "ann" });
    clients.push(ann);
    const ben = await TestClient.join(urlB ?? "", { room, name: "ben" });
    clients.push(ben);
    for (const [from, to, id] of [
      [ann, ben, "from-a"],
      [ben, ann, "from-b"],
    ] as const) {
      from.chat(room, `hello ${id}`, id);
      const [ack, read] = await Promise.all([
        from.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === id, { timeoutMs: 15_000 }),
        to.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === id, { timeoutMs: 15_000 }),
      ]);
      expect(read.type === "chat" && read.text).toBe(`hello ${id}`);
      expect(read.type === "chat" && read.seq).toBe(ack.type === "ack" && ack.seq);
    }
    for (const client of clients) expect(client.invalid).toEqual([]);
    await Promise.all(clients.splice(0).map((client) => client.close()));

    signalGroup(cluster.pid ?? 0, "SIGINT");
    const [code, signal] = await exited;
    const text = output();
    expect({ code, signal, text: text.slice(-3000) }).toMatchObject({ code: 0, signal: null });
    expect(text).not.toMatch(/did not stop cleanly|could not stop cleanly|exited \(|ELIFECYCLE/);
    // Both nodes were done before Redis heard of the stop (the terminal's SIGINT reaches only the script).
    const redisStop = text.indexOf("Received SIG");
    expect(text).not.toContain("Received SIGINT");
    expect(redisStop).toBeGreaterThan(-1);
    for (const name of ["node-a", "node-b"]) {
      expect(text.lastIndexOf(`[${name}]`)).toBeGreaterThan(-1);
      expect(text.lastIndexOf(`[${name}]`)).toBeLessThan(redisStop);
    }
    // Nothing left: no process (a zombie that PID 1 never reaps is dead), no temp dir, no port.
    expect(started.filter(alive)).toEqual([]);
    expect(existsSync(postgresDir)).toBe(false);
    expect(existsSync(redisDir)).toBe(false);
    for (const port of [...urls.map((url) => new URL(url).port), databaseUrl.port, redisUrl.port]) await expectNotListening(Number(port));
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await stopGroup(cluster);
    // Only if the script failed to: its PostgreSQL leads a session of its own.
    if (postmaster > 0 && alive(postmaster)) signalGroup(postmaster, "SIGKILL");
    if (postgresDir) rmSync(postgresDir, { recursive: true, force: true });
  }
});
