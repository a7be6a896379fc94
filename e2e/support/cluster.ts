import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port";
import { ServerProcess } from "./server";

const execFileAsync = promisify(execFile);

/**
 * A throwaway `redis-server` on a free port with a temp dir. No persistence: the test never
 * restarts Redis, and an fsync per write would only slow a shared machine down.
 */
export class RedisServer {
  private output = "";

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<RedisServer> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "chatroom-e2e-redis-"));
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
    const child = spawn(process.env.REDIS_SERVER ?? "/usr/bin/redis-server", [...args, "--loglevel", "warning"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const redis = new RedisServer(port, dir, child);
    const keep = (chunk: Buffer) => {
      redis.output = (redis.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await redis.stop();
        throw new Error(`redis-server did not start on ${port}:\n${redis.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** One command through `redis-cli`, for looking at the cluster's state from outside. */
  async command(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync("redis-cli", ["-p", String(this.port), "--raw", ...args]);
    return stdout.trim();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, "exit");
      this.child.kill("SIGKILL");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** True when a PING on a fresh connection gets +PONG. */
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

/** A production node on the shared Redis, ready once `/readyz` says it reached Redis. */
export async function startNode(redis: RedisServer, env: Record<string, string> = {}): Promise<ServerProcess> {
  const node = await ServerProcess.create({ REDIS_URL: redis.url, ...env });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ready = await fetch(`${node.url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return node;
    if (Date.now() > deadline) {
      await node.dispose();
      throw new Error(`node on ${node.port} never became ready (Redis at ${redis.url})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The test's load balancer: a TCP proxy on a port of its own that forwards every connection to
 * one backend port. The browser loads the page through it, so the page's same-origin `/ws` goes
 * through it too. `retarget` is a failover: new connections go to the new backend and the open
 * ones are cut, as a load balancer does when it takes a node out.
 */
export class TcpProxy {
  private readonly pairs = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private target: number,
  ) {}

  static async start(target: number): Promise<TcpProxy> {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    if (typeof address !== "object" || !address) throw new Error("proxy has no port");
    const proxy = new TcpProxy(server, address.port, target);
    server.on("connection", (client) => proxy.forward(client));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  retarget(target: number): void {
    this.target = target;
    for (const socket of this.pairs) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.pairs) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: Socket): void {
    // A backend that refuses (a dead node) cuts the client at once: the browser sees a failed
    // connection, not a hang.
    const upstream = createConnection({ port: this.target, host: "127.0.0.1" });
    for (const socket of [client, upstream]) {
      this.pairs.add(socket);
      socket.on("close", () => {
        this.pairs.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on("error", () => socket.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
