import type Database from "better-sqlite3";
import { type AccessKind, layoutReader, layoutWrites, META_KEY } from "../access-layout";
import type { AccessReader, AccessWrite, RoomMeta } from "../access-state";

/**
 * The rooms' access state in `room_access` (see schema.ts and access-layout.ts). Every call is
 * synchronous and meant to run inside the store's group-commit transaction, with the append it
 * guards, so the checks and the seq are one atomic step.
 */
export class SqliteAccessState {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      get: db.prepare<[string, string, string], { value: string }>("SELECT value FROM room_access WHERE room = ? AND kind = ? AND key = ?"),
      list: db.prepare<[string, string], { value: string }>("SELECT value FROM room_access WHERE room = ? AND kind = ? ORDER BY key"),
      put: db.prepare<[string, string, string, string]>(
        "INSERT INTO room_access (room, kind, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (room, kind, key) DO UPDATE SET value = excluded.value",
      ),
      remove: db.prepare<[string, string, string]>("DELETE FROM room_access WHERE room = ? AND kind = ? AND key = ?"),
      hasEvents: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM events WHERE room = ? LIMIT 1"),
      hasMembers: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM memberships WHERE room = ? LIMIT 1"),
      forgetMembership: db.prepare<[string, string]>("DELETE FROM memberships WHERE user_id = ? AND room = ?"),
      lastChat: db.prepare<[string, string], { ts: number }>("SELECT ts FROM slow_mode_chats WHERE room = ? AND user_id = ?"),
      noteChat: db.prepare<[string, string, number]>(
        "INSERT INTO slow_mode_chats (room, user_id, ts) VALUES (?, ?, ?) ON CONFLICT (room, user_id) DO UPDATE SET ts = excluded.ts",
      ),
    };
  }

  reader(room: string): AccessReader {
    const { get, list, hasEvents, hasMembers } = this.statements;
    return layoutReader({
      get: (kind: AccessKind, key: string) => get.get(room, kind, key)?.value,
      list: (kind: AccessKind) => list.all(room, kind).map((row) => row.value),
      hasEventsOrMembers: () => hasEvents.get(room) !== undefined || hasMembers.get(room) !== undefined,
    });
  }

  apply(room: string, writes: readonly AccessWrite[]): void {
    const { entries, forgetMemberships } = layoutWrites(writes);
    for (const entry of entries) {
      if (entry.value === null) this.statements.remove.run(room, entry.kind, entry.key);
      else this.statements.put.run(room, entry.kind, entry.key, entry.value);
    }
    for (const userId of forgetMemberships) this.statements.forgetMembership.run(userId, room);
  }

  lastChat(room: string, userId: string): number | undefined {
    return this.statements.lastChat.get(room, userId)?.ts;
  }

  /** Kept only while slow mode is on: a chat sent with it off never holds back the next one. */
  noteChat(room: string, userId: string, ts: number): void {
    const raw = this.statements.get.get(room, "meta", META_KEY)?.value;
    const meta = raw === undefined ? undefined : (JSON.parse(raw) as RoomMeta);
    if ((meta?.slowModeMs ?? 0) > 0) this.statements.noteChat.run(room, userId, ts);
  }
}
