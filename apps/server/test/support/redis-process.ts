import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { createConnection } from "node:net";
import { promisify } from "node:util";
import { freePort } from "./free-port";
import { tempDir } from "./temp-dir";

const execFileAsync = promisify(execFile);

/**
 * How the server keeps its data: `always` fsyncs the AOF on every write, so a crash loses nothing
 * acknowledged (the failure tests); `everysec` is Redis's usual AOF setting (the bench, like
 * `pnpm start:cluster`); `none` keeps nothing, for runs that never restart Redis.
 */
export type RedisPersistence = "always" | "everysec" | "none";

export interface RedisProcess {
  port: number;
  url: string;
  /** The running server's pid, for reading its CPU and memory from /proc. */
  readonly pid: number;
  /** Kills the server with SIGKILL, as a crash would; the data dir stays. */
  crash(): Promise<void>;
  /** Starts a server again on the same port and data dir (after `crash`). */
  restart(): Promise<void>;
  /** Stops the server and removes its data dir. */
  stop(): Promise<void>;
  /** One command through `redis-cli`, to look at the state from outside. */
  command(...args: string[]): Promise<string>;
}

const binary = () => process.env.REDIS_SERVER ?? "redis-server";

/** Why Redis cannot be started here, or undefined when it can. */
export function redisUnavailable(): string | undefined {
  const probe = spawnSync(binary(), ["--version"], { encoding: "utf8", timeout: 5_000 });
  if (probe.error) return `${binary()} could not be run (${probe.error.message}); set REDIS_SERVER or install redis-server`;
  if (probe.status !== 0) return `${binary()} --version exited with ${probe.status}`;
  return undefined;
}

/**
 * A real `redis-server` on a free loopback port with a temp dir, ready once it answers PING.
 * It never outlives the process that started it, even one that leaves through `process.exit`.
 */
export async function startRedis(options: { persistence?: RedisPersistence } = {}): Promise<RedisProcess> {
  const persistence = options.persistence ?? "always";
  const port = await freePort();
  const dir = tempDir("chatroom-redis-");
  const aof = persistence === "none" ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", persistence];
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir.path,
    "--save",
    "",
    ...aof,
    "--daemonize",
    "no",
    "--loglevel",
    "warning",
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const kill = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  const killAtExit = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    dir.remove();
  };
  process.once("exit", killAtExit);

  const launch = async () => {
    const started = spawn(binary(), args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    started.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child = started;
    exited = new Promise((resolve) => started.once("exit", () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`redis-server exited during start-up: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on ${port} within 10 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const stop = async () => {
    process.removeListener("exit", killAtExit);
    await kill();
    dir.remove();
  };
  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? -1;
    },
    crash: kill,
    restart: launch,
    stop,
    async command(...commandArgs) {
      const { stdout } = await execFileAsync("redis-cli", ["-p", String(port), "--raw", ...commandArgs]);
      return stdout.trim();
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
