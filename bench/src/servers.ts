import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../apps/server/test/support/free-port";
import type { ServerKind } from "./messages";

const ROOT = resolve(import.meta.dirname, "../..");

export interface RunningServer {
  kind: ServerKind;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export const SERVER_LABELS: Record<ServerKind, string> = {
  chatroom: "Chatroom (prod: SQLite, acks, zod)",
  seed: "seed (raw ws)",
  socketio: "Socket.IO",
};

/** Extra node flags for our server, e.g. BENCH_CPU_PROF=dir to write a --cpu-prof profile. */
function profileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}

export interface StartOptions {
  /** Run our server from its TypeScript source (tsx) instead of the build: the test suite has no build. */
  fromSource?: boolean;
  /** How long the port may take to open: a store of a million messages is checked on open. */
  startTimeoutMs?: number;
}

/** Starts one server and resolves once its port accepts connections; `extraEnv` (e.g. REDIS_URL, DATA_DIR) goes to our server only. */
export async function startServer(
  kind: ServerKind,
  extraEnv: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningServer> {
  const port = await freePort();
  let dataDir: string | undefined;
  let child: ChildProcess;
  const env = { ...process.env, PORT: String(port), HOST: "127.0.0.1" };
  if (kind === "chatroom") {
    dataDir = mkdtempSync(join(tmpdir(), "chatroom-bench-"));
    const entry = options.fromSource
      ? ["--import", "tsx", join(ROOT, "apps/server/src/server.ts")]
      : [join(ROOT, "apps/server/dist/server.js")];
    child = spawn(process.execPath, [...profileFlags(), ...entry], {
      cwd: ROOT,
      env: {
        ...env,
        NODE_ENV: "production",
        HISTORY: "sqlite",
        DATA_DIR: dataDir,
        LOG_LEVEL: "warn",
        // One generator IP opens every connection and sends every message: raise the per-IP and
        // per-connection limits above the offered load. Everything else is the production default.
        MAX_CONNECTIONS: "100000",
        MAX_CONNECTIONS_PER_IP: "100000",
        RATE_PER_SECOND: "100000",
        RATE_BURST: "100000",
        ...extraEnv,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
  } else {
    const file = kind === "seed" ? "seed-ws-server.mjs" : "socketio-server.mjs";
    child = spawn(process.execPath, [join(ROOT, "bench/baselines", file)], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  }
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const forced = setTimeout(() => child.kill("SIGKILL"), 12_000);
      await exited;
      clearTimeout(forced);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  liveServers.add(stop);
  exited.then(() => liveServers.delete(stop));
  try {
    await waitForPort(port, options.startTimeoutMs ?? 20_000, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind, port, pid: child.pid as number, stop };
}

const liveServers = new Set<() => Promise<void>>();

/** Stops every server still running: the bench's finally-block. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...liveServers].map((stop) => stop()));
}

async function waitForPort(port: number, timeoutMs: number, died: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died()) throw new Error(`server on port ${port} exited during startup`);
    const open = await new Promise<boolean>((done) => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      socket.once("connect", () => {
        socket.destroy();
        done(true);
      });
      socket.once("error", () => done(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen on port ${port} within ${timeoutMs} ms`);
}
