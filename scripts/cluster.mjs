#!/usr/bin/env node
// `pnpm start:cluster`: a local two-node cluster on one Redis, from the production build.
// Starts redis-server on a free port with AOF in a temp dir, two server nodes on two ports
// (NODE_ENV=production, REDIS_URL), prints both URLs, and stops everything on Ctrl+C.
// Needs `pnpm build` first and `redis-server` on PATH (or REDIS_SERVER=/path/to/redis-server).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pipePrefixed } from "./lib/prefixed-output.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "apps/server/dist/server.js");
if (!existsSync(entry)) {
  console.error(`${entry} is missing: run \`pnpm build\` first.`);
  process.exit(1);
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const host = process.env.HOST ?? "127.0.0.1";
const redisPort = await freePort();
const nodePorts = [Number(process.env.PORT_A ?? (await freePort())), Number(process.env.PORT_B ?? (await freePort()))];
const dataDir = mkdtempSync(join(tmpdir(), "chatroom-cluster-"));
const children = [];
let stopping = false;

function run(name, color, command, args, env) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = pipePrefixed(child, name, color);
  child.on("error", (error) => {
    console.error(`${prefix}could not start ${command}: ${error.message}`);
    stop(1);
  });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the rest`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

async function waitFor(url, what) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!stopping) throw new Error(`${what} did not become ready`);
}

/** Polls with a raw PING until Redis answers +PONG (not -LOADING while it replays the AOF). */
async function waitForRedis(port) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !stopping) {
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
  if (!stopping) {
    console.error("redis-server did not become ready");
    stop(1);
  }
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  // Nodes first (they leave Redis cleanly), then Redis, then the temp dir.
  const nodes = children.slice(1);
  for (const child of nodes) child.kill("SIGTERM");
  const redis = children[0];
  const done = () => {
    redis?.kill("SIGTERM");
    setTimeout(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(code);
    }, 300);
  };
  let pending = nodes.filter((child) => child.exitCode === null && child.signalCode === null).length;
  if (pending === 0) return done();
  for (const child of nodes) child.once("exit", () => --pending === 0 && done());
  setTimeout(done, 5_000).unref();
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

run("redis", 31, process.env.REDIS_SERVER ?? "redis-server", [
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
]);
const redisUrl = `redis://127.0.0.1:${redisPort}`;
await waitForRedis(redisPort);

const names = ["node-a", "node-b"];
nodePorts.forEach((port, index) => {
  run(names[index], index === 0 ? 36 : 35, process.execPath, [entry], {
    NODE_ENV: "production",
    HOST: host,
    PORT: String(port),
    REDIS_URL: redisUrl,
  });
});

try {
  await Promise.all(nodePorts.map((port, index) => waitFor(`http://${host}:${port}/readyz`, names[index])));
} catch (error) {
  console.error(error.message);
  stop(1);
}
if (!stopping) {
  console.log("");
  console.log(`  Redis   ${redisUrl}  (AOF in ${dataDir})`);
  for (const [index, port] of nodePorts.entries()) console.log(`  ${names[index]}  http://${host}:${port}`);
  console.log("");
  console.log("  Open both URLs in two windows and chat across the nodes. Ctrl+C stops everything.");
}
