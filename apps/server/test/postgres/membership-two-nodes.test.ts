import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import type { BackendHarness } from "../contract/backend-contract";
import { describeMembershipContract } from "../contract/membership-contract";
import { emptyDatabase } from "../support/empty-database";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";

/**
 * The membership contract with its cluster case on PostgreSQL: a peer is a second PgBackend on the
 * same database (its own pool, as another node's), so "the bound holds across nodes" runs over
 * real appends on one node and counts on the other. The room bus is not involved (memberships are
 * read from the database), so this needs no Redis; test/contract/postgres.test.ts runs the whole
 * backend contract on one node.
 */
let server: PostgresProcess;
beforeAll(async () => {
  server = await startPostgres({ database: "membership_nodes" });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

let harness: BackendHarness;
const open = (nodeId: string) => PgBackend.open({ nodeId, url: server.url, poolMax: 4 });

beforeEach(async () => {
  let backend: Backend = await open("node-a");
  await emptyDatabase(server.url);
  harness = {
    get backend() {
      return backend;
    },
    restart: async () => {
      await backend.close();
      backend = await open("node-a");
      return backend;
    },
    openPeer: () => open("node-b"),
    cleanup: () => backend.close(),
  };
});
afterEach(() => harness.cleanup());

describeMembershipContract({ backend: () => harness.backend, harness: () => harness, persistent: true, cluster: true });
