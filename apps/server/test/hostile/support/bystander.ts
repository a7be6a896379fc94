import { randomBytes } from "node:crypto";
import type { JoinedFrame, ReadyFrame, ServerFrameOf } from "@chatroom/protocol";
import { expect } from "vitest";
import { TestClient } from "../../support/test-client";

export type Bystander = TestClient & { ready: ReadyFrame; joined: JoinedFrame };

/** A well-behaved member of `room`, joined before the attack starts (with a host app's `token` on an `AUTH=jwt` server). */
export function joinBystander(wsUrl: string, room: string, signIn: { token?: string } = {}): Promise<Bystander> {
  return TestClient.join(wsUrl, { room, name: `bystander-${randomBytes(2).toString("hex")}`, ...signIn });
}

/** Stored room events carry the room's next seq whatever their kind: a bystander sees them all. */
const STORED_EVENT_TYPES = new Set(["chat", "edit", "delete", "reaction", "moderation"]);

/**
 * The check every hostile case ends with: the bystander is still connected, can still chat (its
 * message is acked and fanned back), and has seen every stored event of the room since its joined
 * (chats, and moderation where staff acted) exactly once and in order: seqs arrive contiguous, so
 * nothing was lost or duplicated.
 */
export async function expectBystanderUnharmed(bystander: Bystander): Promise<void> {
  expect(bystander.isOpen).toBe(true);
  const clientMsgId = `by-${randomBytes(6).toString("hex")}`;
  const before = bystander.frames.length;
  const { room } = bystander.joined;
  bystander.chat(room, "still here", clientMsgId);
  const ack = await bystander.waitFor((f): f is ServerFrameOf<"ack"> => f.type === "ack" && f.clientMsgId === clientMsgId, {
    from: before,
  });
  await bystander.waitFor((f) => f.type === "chat" && f.clientMsgId === clientMsgId, { from: before });

  expect(ack.room).toBe(room);
  const live = bystander.frames
    .filter((frame) => STORED_EVENT_TYPES.has(frame.type) && "room" in frame && frame.room === room)
    .map((frame) => (frame as { seq: number }).seq);
  const first = bystander.joined.latestSeq + 1;
  expect(live).toEqual(Array.from({ length: ack.seq - first + 1 }, (_, i) => first + i));
  expect(bystander.invalid).toEqual([]);
  expect(bystander.ofType("error")).toEqual([]);
}
