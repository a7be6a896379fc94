#!/usr/bin/env node
// `pnpm start:cluster`: a local two-node cluster as docs/cluster.md describes one, from the
// production build. PostgreSQL keeps everything (a throwaway `initdb` cluster in a temp dir, on a
// free port), Redis carries the traffic between the nodes (no persistence: it keeps nothing), and
// two nodes run with DATABASE_URL + REDIS_URL on two ports. It builds first when there is no
// build, prints the URLs to open, and one Ctrl+C stops the nodes, then Redis, then PostgreSQL, and
// deletes the temp dirs. Overrides: PORT_A, PORT_B, HOST, PG_BIN, PG_RUN_AS, REDIS_SERVER.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./lib/free-port.mjs";
import { initTempPostgres, postgresUnavailable } from "./lib/postgres.mjs";
import { browsableHost, createSupervisor, waitForUrl } from "./lib/supervisor.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "apps/server/dist/server.js");
const redisServer = process.env.REDIS_SERVER ?? "redis-server";
const DATABASE = "chatroom";

// What to install comes first, before a build or anything started.
const missing = [postgresUnavailable(), redisUnavailable()].filter(Boolean);
if (missing.length > 0) {
  for (const problem of missing) console.error(`pnpm start:cluster needs PostgreSQL and Redis: ${problem}`);
  process.exit(1);
}
buildIfMissing();

const host = process.env.HOST ?? "127.0.0.1";
const nodePorts = [Number(process.env.PORT_A ?? (await freePort())), Number(process.env.PORT_B ?? (await freePort()))];
const redisPort = await freePort();
const redisDir = mkdtempSync(join(tmpdir(), "chatroom-cluster-redis-"));
/** initdb + start + the database; awaited by the stop too, so a Ctrl+C during start-up cleans up. */
let postgresStarting;
let postgres;

// The nodes stop first (they commit what is queued and leave Redis cleanly), then Redis; then
// PostgreSQL, which is no child of the supervisor (pg_ctl detaches it), and the temp dirs.
const supervisor = createSupervisor({ afterStop: stopPostgres });
// The last resort, for an exit that skipped the stop: nothing may outlive the script.
process.on("exit", () => {
  postgres?.killNow();
  postgres?.remove();
  rmSync(redisDir, { recursive: true, force: true });
});

async function stopPostgres() {
  await postgresStarting?.catch(() => undefined);
  if (!postgres) return;
  const stopped = await postgres.stop("fast");
  if (!stopped) postgres.killNow();
  postgres.remove();
  rmSync(redisDir, { recursive: true, force: true });
  if (!stopped) throw new Error(`pg_ctl stop failed; PostgreSQL was killed instead\n${postgres.logTail()}`);
}

function run(name, color, command, args, env, options = {}) {
  return supervisor.run(name, color, command, args, { cwd: root, env: { ...process.env, ...env }, ...options });
}

postgresStarting = (async () => {
  postgres = await initTempPostgres({ port: await freePort(), prefix: "chatroom-cluster-pg-" });
  await postgres.start();
  await postgres.createDatabase(DATABASE);
})();
try {
  await postgresStarting;
} catch (error) {
  if (!supervisor.stopping) {
    console.error(`PostgreSQL did not start: ${error.message}`);
    supervisor.stop(1);
  }
}

// Redis carries traffic only (the bus, presence, typing): nothing to persist, so nothing is.
const redisArgs = ["--port", String(redisPort), "--bind", "127.0.0.1", "--dir", redisDir, "--save", "", "--appendonly", "no"];
run("redis", 31, redisServer, redisArgs, {}, { stopLast: true });
const redisUrl = `redis://127.0.0.1:${redisPort}`;
if (!supervisor.stopping) await waitForRedis(redisPort);

const names = ["node-a", "node-b"];
const databaseUrl = postgres?.url(DATABASE) ?? "";
nodePorts.forEach((port, index) => {
  // Does nothing if something failed and everything is stopping.
  run(names[index], index === 0 ? 36 : 35, process.execPath, [entry], {
    NODE_ENV: "production",
    HOST: host,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
  });
});

const ready = await Promise.all(
  nodePorts.map((port) => waitForUrl(`http://${browsableHost(host)}:${port}/readyz`, supervisor, { deadlineMs: 60_000 })),
);
if (supervisor.stopping) {
  // A child failed and everything is stopping already.
} else if (!ready.every(Boolean)) {
  console.error(`${names.filter((_, index) => !ready[index]).join(" and ")} did not become ready`);
  supervisor.stop(1);
} else {
  console.log("");
  // The URL has no password: the temp cluster trusts its superuser on loopback only.
  console.log(`  PostgreSQL  ${databaseUrl}  (temp cluster in ${postgres?.dir})`);
  console.log(`  Redis       ${redisUrl}  (traffic only, nothing persisted; dir ${redisDir})`);
  for (const [index, port] of nodePorts.entries()) console.log(`  ${names[index]}  http://${browsableHost(host)}:${port}`);
  console.log("");
  console.log("  Open both URLs in two windows and chat across the nodes.");
  console.log("  Ctrl+C stops everything and deletes the temp dirs.");
}

/** Why redis-server cannot be run, with what to install, or undefined. */
function redisUnavailable() {
  const probe = spawnSync(redisServer, ["--version"], { encoding: "utf8", timeout: 5_000 });
  if (!probe.error && probe.status === 0) return undefined;
  return (
    `${redisServer} could not be run (${probe.error?.message ?? `exit ${probe.status}`}): install Redis ` +
    "(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_SERVER to its path"
  );
}

/** `pnpm build` when the server or the page has not been built yet (a stale build is not detected). */
function buildIfMissing() {
  if (existsSync(entry) && existsSync(join(root, "apps/web/dist/index.html"))) return;
  console.log("No production build yet: running `pnpm build` first.");
  const build = spawnSync("pnpm", ["build"], { cwd: root, stdio: "inherit" });
  if (build.error || build.status !== 0) {
    console.error(`pnpm build failed (${build.error?.message ?? `exit ${build.status ?? build.signal}`}); fix it and run again.`);
    process.exit(1);
  }
}

/** Polls with a raw PING until Redis answers +PONG. */
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
