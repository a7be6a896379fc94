import { ROOM_PATTERN } from "@chatroom/protocol";
import type { SearchPosition } from "../message-search";

/** The wire form of a position: opaque base64url, so clients never build or edit one. */
export function encodeSearchCursor(position: SearchPosition): string {
  return Buffer.from(`${position.ts}:${position.seq}:${position.room}`, "utf8").toString("base64url");
}

const CURSOR = /^(\d{1,16}):(\d{1,16}):(.*)$/s;

/** The position a cursor stands for, or undefined when this server did not make it. */
export function decodeSearchCursor(cursor: string): SearchPosition | undefined {
  const match = CURSOR.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) return undefined;
  const ts = Number(match[1]);
  const seq = Number(match[2]);
  const room = match[3] as string;
  // A resume point at the start of a timestamp has an empty room (see order.ts).
  if (!Number.isSafeInteger(ts) || !Number.isSafeInteger(seq) || (room !== "" && !ROOM_PATTERN.test(room))) return undefined;
  return { ts, room, seq };
}
