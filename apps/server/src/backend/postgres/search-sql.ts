import type { SearchPosition } from "../message-search";

/** The part of the result order a request looks at: its rooms, `[low, high)` and the cursor. */
export interface SearchRange {
  rooms: readonly string[];
  low: number;
  high: number;
  after: SearchPosition | undefined;
}

/** Positional parameters, numbered as they are added. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** `[low, high)`, and strictly after the cursor in the result order (`room` is the row's room, in SQL). */
export function timeConditions(params: SqlParams, range: SearchRange, room: string): string[] {
  const conditions = [`d.ts >= ${params.add(range.low)}`, `d.ts < ${params.add(range.high)}`];
  const { after } = range;
  if (after) {
    const ts = params.add(after.ts);
    const afterRoom = params.add(after.room);
    conditions.push(
      `(d.ts < ${ts} OR (d.ts = ${ts} AND (${room} COLLATE "C" > ${afterRoom} OR (${room} = ${afterRoom} AND d.seq < ${params.add(after.seq)}))))`,
    );
  }
  return conditions;
}
