import { type ChildProcess, spawn } from "node:child_process";
import { createConnection } from "node:net";
import { freePort } from "../support/free-port";
import { type TempDir, tempDir } from "../support/temp-dir";

export interface RedisProcess {
  port: number;
  url: string;
  dir: TempDir;
  /** Kills the server with SIGKILL, as a crash would; the data dir stays. */
  crash(): Promise<void>;
  /** Starts a server again on the same port and data dir (after `crash`). */
  restart(): Promise<void>;
  /** Stops the server and removes its data dir. */
  stop(): Promise<void>;
}

/**
 * A real `redis-server` on a free port with a temp dir: AOF on with `appendfsync always`, so a
 * kill loses nothing that was acknowledged, and no RDB snapshots.
 */
export async function startRedis(options: { fsync?: "always" | "everysec" } = {}): Promise<RedisProcess> {
  const port = await freePort();
  const dir = tempDir("chatroom-redis-");
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir.path, "--save", "", "--appendonly", "yes"];
    args.push("--appendfsync", options.fsync ?? "always", "--daemonize", "no", "--loglevel", "warning");
    const started = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    started.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child = started;
    exited = new Promise((resolve) => started.once("exit", () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (started.exitCode !== null) throw new Error(`redis-server exited: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`redis-server not ready on ${port}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const kill = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    crash: kill,
    restart: launch,
    async stop() {
      await kill();
      dir.remove();
    },
  };
}

/** True when a PING on a fresh connection gets +PONG (not -LOADING while the AOF replays). */
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
