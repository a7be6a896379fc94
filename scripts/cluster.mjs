#!/usr/bin/env node
// `pnpm start:cluster`: a local two-node cluster on one Redis, from the production build.
// Starts redis-server on a free port with AOF in a temp dir, two server nodes on two ports
// (NODE_ENV=production, REDIS_URL), prints both URLs, and stops everything on Ctrl+C.
// Needs `pnpm build` first and `redis-server` on PATH (or REDIS_SERVER=/path/to/redis-server).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./lib/free-port.mjs";
import { browsableHost, createSupervisor, waitForUrl } from "./lib/supervisor.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "apps/server/dist/server.js");
if (!existsSync(entry)) {
  console.error(`${entry} is missing: run \`pnpm build\` first.`);
  process.exit(1);
}

const host = process.env.HOST ?? "127.0.0.1";
const redisPort = await freePort();
const nodePorts = [Number(process.env.PORT_A ?? (await freePort())), Number(process.env.PORT_B ?? (await freePort()))];
const dataDir = mkdtempSync(join(tmpdir(), "chatroom-cluster-"));
// Nodes stop first (they leave Redis cleanly), then Redis; the temp dir goes on the way out.
const supervisor = createSupervisor();
process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));

function run(name, color, command, args, env, options = {}) {
  return supervisor.run(name, color, command, args, { cwd: root, env: { ...process.env, ...env }, ...options });
}

/** Polls with a raw PING until Redis answers +PONG (not -LOADING while it replays the AOF). */
async function waitForRedis(port) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !supervisor.stopping) {
    const pong = await new Promise((resolvePing) => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      const finish = (ok) => {
        socket.destroy();
        resolvePing(ok);
      };
      socket.setTimeout(500, () => finish(false));
      socket.on("error", () => finish(false));
      socket.on("connect", () => socket.write("PING\r\n"));
      socket.on("data", (chunk) => finish(chunk.toString().startsWith("+PONG")));
    });
    if (pong) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!supervisor.stopping) {
    console.error("redis-server did not become ready");
    supervisor.stop(1);
  }
}

run(
  "redis",
  31,
  process.env.REDIS_SERVER ?? "redis-server",
  [
    "--port",
    String(redisPort),
    "--bind",
    "127.0.0.1",
    "--dir",
    dataDir,
    "--save",
    "",
    "--appendonly",
    "yes",
    "--appendfsync",
    process.env.APPENDFSYNC ?? "everysec",
  ],
  {},
  { stopLast: true },
);
const redisUrl = `redis://127.0.0.1:${redisPort}`;
await waitForRedis(redisPort);

const names = ["node-a", "node-b"];
nodePorts.forEach((port, index) => {
  // Does nothing if Redis failed and everything is stopping.
  run(names[index], index === 0 ? 36 : 35, process.execPath, [entry], {
    NODE_ENV: "production",
    HOST: host,
    PORT: String(port),
    REDIS_URL: redisUrl,
  });
});

const ready = await Promise.all(
  nodePorts.map((port) => waitForUrl(`http://${browsableHost(host)}:${port}/readyz`, supervisor, { deadlineMs: 20_000 })),
);
if (supervisor.stopping) {
  // A child failed and everything is stopping already.
} else if (!ready.every(Boolean)) {
  console.error(`${names.filter((_, index) => !ready[index]).join(" and ")} did not become ready`);
  supervisor.stop(1);
} else {
  console.log("");
  console.log(`  Redis   ${redisUrl}  (AOF in ${dataDir})`);
  for (const [index, port] of nodePorts.entries()) console.log(`  ${names[index]}  http://${browsableHost(host)}:${port}`);
  console.log("");
  console.log("  Open both URLs in two windows and chat across the nodes. Ctrl+C stops everything.");
}
