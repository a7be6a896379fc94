import pg from "pg";

/** deadlock_detected: the TRUNCATE met a node's background work (the search indexer's slice). */
const DEADLOCK = "40P01";

/**
 * Empties every table of the chat schema (not `schema_migrations`), so tests sharing one
 * PostgreSQL each start from nothing: quicker than a new database per test with fsync on.
 * A backend opened just before may be draining the search backlog a previous test left: its
 * slice locks the backlog and then reads `chats`, the TRUNCATE takes the tables in its own order,
 * and PostgreSQL ends one of the two. The slice is retried by the indexer; the TRUNCATE here.
 */
export async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
    );
    if (tables.rows.length === 0) return;
    const truncate = `TRUNCATE ${tables.rows.map((row) => `"${row.tablename}"`).join(", ")}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(truncate);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== DEADLOCK || attempt >= 5) throw error;
      }
    }
  } finally {
    await client.end();
  }
}
