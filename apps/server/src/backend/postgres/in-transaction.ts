import type pg from "pg";

/**
 * Runs `work` in one transaction on a connection of its own: `begin` opens it (an isolation level,
 * `SET LOCAL`s), COMMIT when `work` resolves, ROLLBACK when it throws. A connection whose ROLLBACK
 * failed is gone (the server rolled back with it) and is discarded, not handed to the next caller.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = "BEGIN"): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken ? true : undefined);
  }
}
