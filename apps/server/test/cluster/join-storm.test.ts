// A storm of new users joining one room at once on two nodes (PostgreSQL + Redis): every one gets in.
// Each first join records the user's address for address bans; on the Redis store (gone since
// [6/6]) that write once bumped the room's access version, so every other join (and chat) of the
// storm decided again, and with 100 at once some gave up with `server_error` (`pnpm bench --quick`,
// CI run 64). Kept on PostgreSQL: a storm of first joins over two nodes must still all get in.
import { describe, expect, it } from "vitest";
import { TestClient } from "../support/test-client";
import { useClusterNodes } from "../support/use-cluster-nodes";

const STORM = 100;

const nodes = useClusterNodes<TestClient>({ database: "join_storm" });
const { clients } = nodes;

describe("a join storm on a cluster", () => {
  it(`${STORM} new users joining one room at once over two nodes all get in`, async () => {
    const [a, b] = await nodes.startTwo();
    const joins = Array.from({ length: STORM }, (_, i) =>
      TestClient.join((i % 2 === 0 ? a : b).wsUrl, { room: "storm", name: `user${i}` }).then((client) => {
        clients.push(client);
        return client;
      }),
    );
    const settled = await Promise.allSettled(joins);
    const failures = settled.flatMap((result) => (result.status === "rejected" ? [String(result.reason)] : []));
    expect(failures).toEqual([]);
    expect(clients).toHaveLength(STORM);
    const ids = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value.joined.you.id] : []));
    expect(new Set(ids).size).toBe(STORM);
  });
});
