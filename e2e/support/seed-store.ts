import { SqliteBackend } from "../../apps/server/src/backend/sqlite/sqlite-backend";

/** The author of seeded messages. */
export const SEEDER = { id: "u_seeder00001", name: "seeder" };

/**
 * Fills `room` with `count` chats straight into the SQLite file of a server that is not running
 * yet, through the server's own store (its migrations, its appends, its search index's triggers),
 * so a room of 100,000 messages takes seconds instead of minutes of protocol traffic. Call it on
 * the server's DATA_DIR before the server starts (`ServerProcess.create`'s `beforeStart`).
 */
export async function seedRoomStore(dataDir: string, room: string, count: number, text: (index: number) => string): Promise<void> {
  const backend = SqliteBackend.open({ nodeId: "e2e-seed", dataDir, synchronous: "NORMAL" });
  try {
    // Many appends at once: the store's group commit writes each batch in one transaction.
    const batchSize = 2_000;
    for (let start = 1; start <= count; start += batchSize) {
      const appends = [];
      for (let index = start; index < Math.min(start + batchSize, count + 1); index++) {
        // The store dedupes on (user, clientMsgId) across rooms: ids per room, or a second seeded room
        // would be answered with the first room's messages and store nothing.
        appends.push(
          backend.messages.append({ room, actor: SEEDER, clientMsgId: `seed-${room}-${index}`, kind: "chat", text: text(index) }),
        );
      }
      for (const result of await Promise.all(appends)) {
        if (!result.ok) throw new Error(`seeding ${room} was refused: ${result.code} ${result.message}`);
      }
    }
  } finally {
    await backend.close();
  }
}
