import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { type PostgresProcess, startPostgres } from "../../apps/server/test/support/postgres-process";
import { type RedisProcess, startRedis } from "../../apps/server/test/support/redis-process";
import { waitUntil } from "../../apps/server/test/support/wait-until";
import { ServerProcess } from "./server";

/** The sorted set where every node's presence heartbeat registers it (score: last heartbeat). */
const NODES_KEY = "chat:nodes";

/** What the nodes of a cluster share: PostgreSQL keeps the rooms, Redis carries the traffic. */
export interface ClusterStores {
  postgres: PostgresProcess;
  redis: RedisProcess;
  stop(): Promise<void>;
}

/** A PostgreSQL and a redis-server for one spec file; Redis keeps nothing the nodes need back. */
export async function startClusterStores(database: string): Promise<ClusterStores> {
  const [postgres, redis] = await Promise.all([startPostgres({ database }), startRedis({ persistence: "none" })]);
  return {
    postgres,
    redis,
    stop: async () => {
      await Promise.allSettled([redis.stop(), postgres.stop()]);
    },
  };
}

/** A production node on the shared PostgreSQL and Redis, ready once `/readyz` says it reached its store. */
export async function startNode(stores: ClusterStores, env: Record<string, string> = {}): Promise<ServerProcess> {
  const node = await ServerProcess.create({ DATABASE_URL: stores.postgres.url, REDIS_URL: stores.redis.url, ...env });
  try {
    await waitUntil(() => fetch(`${node.url}/readyz`).then((response) => response.ok), {
      what: `node on ${node.port} to be ready`,
    });
    return node;
  } catch (error) {
    await node.dispose();
    throw error;
  }
}

/** The ids of the nodes registered in Redis. */
export async function registeredNodes(redis: RedisProcess): Promise<string[]> {
  return (await redis.command("ZRANGE", NODES_KEY, "0", "-1")).split("\n").filter(Boolean);
}

/** Starts a node and finds its id: the registration that appears once it is up. */
export async function startRegisteredNode(
  stores: ClusterStores,
  env: Record<string, string> = {},
): Promise<{ node: ServerProcess; nodeId: string }> {
  const { redis } = stores;
  const before = new Set(await registeredNodes(redis));
  const node = await startNode(stores, env);
  const nodeId = await waitUntil(async () => (await registeredNodes(redis)).find((id) => !before.has(id)), {
    what: `node on ${node.port} to register in Redis`,
  });
  return { node, nodeId };
}

/**
 * Kills a node as a crash would, but leaves its registration alive until `expireNode`, so a test
 * decides when the other nodes find it dead instead of racing the node TTL. Order matters: the
 * node is frozen (SIGSTOP), its Redis connections are cut so no heartbeat it had in flight lands
 * later, its heartbeat is pinned far in the future, and only then is it killed.
 */
export async function crashNodeKeepingRegistration(redis: RedisProcess, node: ServerProcess, nodeId: string): Promise<void> {
  node.signal("SIGSTOP");
  const clients = (await redis.command("CLIENT", "LIST")).split("\n");
  for (const client of clients) {
    // Its command connection and its subscriber (`chat-<id>-sub`).
    if (!client.includes(` name=chat-${nodeId}`)) continue;
    const id = /^id=(\d+)/.exec(client)?.[1];
    if (id) await redis.command("CLIENT", "KILL", "ID", id);
  }
  const pinned = await redis.command("ZADD", NODES_KEY, "XX", "CH", String(Number.MAX_SAFE_INTEGER), nodeId);
  if (pinned !== "1") throw new Error(`node ${nodeId} was no longer registered when it was frozen`);
  await node.stop("SIGKILL");
}

/** Makes a node's registration as old as can be: the next heartbeat of a live node reaps it. */
export async function expireNode(redis: RedisProcess, nodeId: string): Promise<void> {
  await redis.command("ZADD", NODES_KEY, "XX", "0", nodeId);
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
