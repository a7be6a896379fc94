import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresProcess, postgresUnavailable, startPostgres } from "../support/postgres-process";

describe("a real PostgreSQL for tests", () => {
  let server: PostgresProcess;
  beforeAll(async () => {
    server = await startPostgres({ database: "process_test" });
  }, 60_000);
  afterAll(() => server?.stop());

  it("answers a query on its URL, with every commit flushed before it returns", async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      expect((await client.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      expect((await client.query("SHOW synchronous_commit")).rows[0]).toEqual({ synchronous_commit: "on" });
      expect((await client.query("SHOW fsync")).rows[0]).toEqual({ fsync: "on" });
      expect((await client.query("SELECT current_database() AS db")).rows[0]).toEqual({ db: "process_test" });
    } finally {
      await client.end();
    }
  });

  it("keeps committed rows across a SIGKILL and a restart on the same port", async () => {
    await server.psql("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1), (2)");
    const before = server.pid;
    await server.crash();
    await server.restart();
    expect(server.pid).not.toBe(before);
    expect(await server.psql("SELECT sum(n) FROM kept")).toBe("3");
  }, 60_000);
});

describe("when PostgreSQL cannot be run", () => {
  it("says what to install", () => {
    const saved = process.env.PG_BIN;
    process.env.PG_BIN = "/nonexistent";
    try {
      expect(postgresUnavailable()).toMatch(/apt-get install postgresql/);
    } finally {
      if (saved === undefined) delete process.env.PG_BIN;
      else process.env.PG_BIN = saved;
    }
  });
});
