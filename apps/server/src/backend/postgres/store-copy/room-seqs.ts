import type { StoreCopyContext } from "./store-copy";

/**
 * Each room's counter row (`rooms.seq`, from which appends take the next seq) set to its latest
 * event's seq. GREATEST with what is there, so a counter is never moved back: a seq once handed
 * out is never handed out again, even if this step were run against a database in use.
 */
export async function setRoomSeqs({ pool, print }: StoreCopyContext): Promise<void> {
  const result = await pool.query(
    `INSERT INTO rooms (room, seq) SELECT room, max(seq) FROM events GROUP BY room
     ON CONFLICT (room) DO UPDATE SET seq = GREATEST(rooms.seq, excluded.seq)`,
  );
  print(`rooms: the seq counter of ${result.rowCount ?? 0} rooms set to their latest event`);
}
