// A node that cannot open its PostgreSQL store says what to change, not only the driver's words:
// PostgreSQL 15 lets only a database's owner create in its schema public, so a database made by
// `createdb` as another user fails with "permission denied for schema public" (found by QA).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";

let server: PostgresProcess;
beforeAll(async () => {
  server = await startPostgres({ database: "connect_hint" });
  await server.psql("CREATE ROLE visitor LOGIN");
  await server.psql("CREATE DATABASE not_visitors");
});
afterAll(() => server?.stop());

const urlFor = (user: string, database: string, port = server.port) => `postgres://${user}@127.0.0.1:${port}/${database}`;
const openError = (url: string) =>
  PgBackend.open({ nodeId: "n", url }).then(
    async (backend) => {
      await backend.close();
      throw new Error("the store opened");
    },
    (error: Error) => error.message,
  );

describe("opening the PostgreSQL store fails with what to do", () => {
  it("a user who does not own the database: own it, or hold CREATE on schema public", async () => {
    const message = await openError(urlFor("visitor", "not_visitors"));
    expect(message).toMatch(/^cannot open the PostgreSQL store \(DATABASE_URL\): permission denied for schema public\. /);
    expect(message).toContain("The DATABASE_URL user must own the database (CREATE DATABASE chatroom OWNER <user>");
  });

  it("a database that does not exist: create it, owned by the user", async () => {
    expect(await openError(urlFor("visitor", "no_such_database"))).toContain(
      "The database in DATABASE_URL does not exist: create it, owned by the DATABASE_URL user",
    );
  });

  it("nothing listening: check the host and port", async () => {
    expect(await openError(urlFor("visitor", "not_visitors", 1))).toContain("Check the host and port in DATABASE_URL");
  });
});
