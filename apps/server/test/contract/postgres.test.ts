import { afterAll, beforeAll } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { emptyDatabase } from "../support/empty-database";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { describeBackendContract } from "./backend-contract";

// One PostgreSQL for the file; each test starts from empty tables (TRUNCATE is far quicker than a
// new database with fsync on).
let server: PostgresProcess;
beforeAll(async () => {
  server = await startPostgres({ database: "contract" });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describeBackendContract(
  "postgres",
  async ({ now }) => {
    const open = () => PgBackend.open({ nodeId: "node-pg", url: server.url, now, poolMax: 4 });
    let backend: Backend = await open();
    await emptyDatabase(server.url);
    return {
      backend,
      restart: async () => {
        await backend.close();
        backend = await open();
        return backend;
      },
      cleanup: async () => {
        await backend.close();
      },
    };
  },
  { persistent: true },
);
