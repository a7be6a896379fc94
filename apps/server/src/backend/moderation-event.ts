import type { ModerationEvent } from "@chatroom/protocol";

/**
 * The protocol's `moderation` event before a store gives it its place in the room: everything but
 * `type`, `room`, `seq` and `ts`, still discriminated by `action`. The access operations build
 * bodies; each store stamps them inside the step that assigns the seq.
 */
export type ModerationBody = ModerationEvent extends infer Event
  ? Event extends ModerationEvent
    ? Omit<Event, "type" | "room" | "seq" | "ts">
    : never
  : never;

/** The event in the protocol's key order (type, room, seq, ts, by, clientMsgId, action, …), from its body and its place. */
export function moderationEventOf(room: string, seq: number, ts: number, body: ModerationBody): ModerationEvent {
  // `by` is rebuilt so that a stored role never leaks into the event (events' `by` carries none).
  return { type: "moderation", room, seq, ts, ...body, by: { id: body.by.id, name: body.by.name } };
}
