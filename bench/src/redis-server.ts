import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./servers";

/** The AOF policy the bench runs Redis with: the Redis default for AOF, and what `pnpm start:cluster` uses. */
export const REDIS_ARGS = ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"];

export interface RedisServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const binary = () => process.env.REDIS_SERVER ?? "redis-server";

/** Why Redis cannot be started here, or undefined when it can. */
export function redisUnavailable(): string | undefined {
  const probe = spawnSync(binary(), ["--version"], { encoding: "utf8", timeout: 5_000 });
  if (probe.error) return `${binary()} could not be run (${probe.error.message}); set REDIS_SERVER or install redis-server`;
  if (probe.status !== 0) return `${binary()} --version exited with ${probe.status}`;
  return undefined;
}

/** A fresh `redis-server` on a free loopback port with its AOF in a temp dir; resolves once it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "chatroom-bench-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, ...REDIS_ARGS, "--daemonize", "no", "--loglevel", "warning"];
  const child: ChildProcess = spawn(binary(), args, { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  // The bench may leave through process.exit (Ctrl-C, an error): Redis must not outlive it.
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", killNow);
  const stop = async () => {
    process.removeListener("exit", killNow);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const forced = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(forced);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited during startup (${child.exitCode})`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on ${port} within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid as number, stop };
}

/** True when a PING on a fresh connection gets +PONG (not -LOADING while an AOF replays). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    let reply = "";
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG"));
    });
  });
}
