import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { RedisProcess } from "../../apps/server/test/support/redis-process";
import { ServerProcess } from "./server";

/** A production node on the shared Redis, ready once `/readyz` says it reached Redis. */
export async function startNode(redis: RedisProcess, env: Record<string, string> = {}): Promise<ServerProcess> {
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
