import { spawn } from "node:child_process";
import { parseSearchQuery } from "@chatroom/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { type RedisProcess, startRedis } from "../support/redis-process";
import { ResumingClient } from "../support/resuming-client";
import { REPO_ROOT } from "../support/server-process";
import { type StartedServer, startServer } from "../support/start-server";
import { type TempDir, tempDir } from "../support/temp-dir";
import { waitUntil } from "../support/wait-until";

const ROOMS = ["move-a", "move-b"];
const FAST = { RATE_PER_SECOND: "10000", RATE_BURST: "10000" };
let postgres: PostgresProcess;
let redis: RedisProcess;
let dataDir: TempDir;
const servers: StartedServer[] = [];
const people: ResumingClient[] = [];

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres({ database: "moved" }), startRedis()]);
  dataDir = tempDir("chatroom-move-");
}, 120_000);
afterAll(async () => {
  await Promise.all(people.map((person) => person.disconnect()));
  await Promise.all(servers.map((server) => server.close()));
  await Promise.all([redis?.stop(), postgres?.stop()]);
  dataDir?.remove();
});

/** `pnpm migrate-store --from sqlite --to postgres`, as an operator runs it: a child process, the URL from the environment. */
function migrateStore(): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "apps/server/src/cli/migrate-store.ts", "--from", "sqlite", "--to", "postgres", "--data-dir", dataDir.path],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: postgres.url },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

describe("growing out of one machine", () => {
  it("a single node's SQLite store moved into PostgreSQL: the same clients resume on two nodes with no gap, the same users, and go on", async () => {
    const single = await startServer({ HISTORY: "sqlite", DATA_DIR: dataDir.path, ...FAST });
    servers.push(single);
    // Connected by hand (no endpoints to retry on their own): each goes where the test sends it.
    for (const name of ["ann", "ben", "cat"]) people.push(new ResumingClient({ name, rooms: ROOMS }));
    for (const person of people) await person.connect(single.wsUrl);
    const sentIn = (room: string) => people.flatMap((person) => person.sent.filter((entry) => entry.room === room));
    const allIn = () =>
      people.every((person) => person.pending === 0 && ROOMS.every((room) => person.log(room).size === sentIn(room).length));

    for (let i = 0; i < 30; i++) for (const person of people) person.send(`${person.name} before the move ${i}`, ROOMS[i % 2]);
    await waitUntil(allIn, { what: "every message on the single node", timeoutMs: 20_000 });
    const before = new Map(people.map((person) => [person.name, person.userId]));

    // The move: the node stops, the store is copied and verified, two nodes start on PostgreSQL + Redis.
    await single.close();
    await waitUntil(() => people.every((person) => !person.connected), { what: "the clients to see the node go" });
    // Written while no node is up: they wait in the outboxes.
    for (const person of people) person.send(`${person.name} during the move`, ROOMS[0]);
    const moved = await migrateStore();
    expect(moved.code, moved.output).toBe(0);
    expect(moved.output).not.toContain(postgres.url);
    const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, ...FAST };
    const a = await startServer(env);
    const b = await startServer(env);
    servers.push(a, b);
    for (const [index, person] of people.entries()) await person.connect((index === 2 ? b : a).wsUrl);
    for (let i = 0; i < 10; i++) for (const person of people) person.send(`${person.name} after the move ${i}`, ROOMS[i % 2]);
    await waitUntil(allIn, {
      what: "every message, before, during and after the move, in every log",
      timeoutMs: 20_000,
      describe: () => people.map((p) => `${p.name}: pending ${p.pending} ${ROOMS.map((r) => p.log(r).size).join("/")}`).join("; "),
    });

    for (const room of ROOMS) {
      const logs = people.map((person) => [...person.log(room).values()].sort((x, y) => x.seq - y.seq));
      const reference = logs[0] ?? [];
      expect(reference.map((message) => message.seq)).toEqual(Array.from({ length: sentIn(room).length }, (_, i) => i + 1));
      for (const log of logs) expect(log).toEqual(reference);
    }
    // The search index was built from the moved chats: a message from before the move is found on either node.
    const query = parseSearchQuery('"ben before the move 7"');
    if (!query.ok) throw new Error(query.reason);
    for (const node of [a, b]) {
      const found = await node.app.backend.search.search({ query: query.query, rooms: ROOMS, limit: 10 });
      expect(found.hits.map((hit) => hit.snippet)).toEqual(["ben before the move 7"]);
    }
    for (const person of people) {
      expect(person.violations).toEqual([]);
      // Sessions moved too: each client is the same user on the new nodes.
      expect(person.userId).toBe(before.get(person.name));
    }
  });
});
