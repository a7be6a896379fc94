import pg from "pg";

/**
 * Empties every table of the chat schema (not `schema_migrations`), so tests sharing one
 * PostgreSQL each start from nothing: quicker than a new database per test with fsync on.
 */
export async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
    );
    if (tables.rows.length === 0) return;
    await client.query(`TRUNCATE ${tables.rows.map((row) => `"${row.tablename}"`).join(", ")}`);
  } finally {
    await client.end();
  }
}
