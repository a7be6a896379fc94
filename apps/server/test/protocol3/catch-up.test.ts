import type { ChatFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { acked, liveEvents } from "../support/change-frames";
import { ResumingClient } from "../support/resuming-client";
import { comparable } from "../support/room-projection";
import type { StartedServer } from "../support/start-server";
import type { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();

/**
 * While the reader is away: edits, a deletion of an edited chat (its edit loses its text), a
 * deletion of a chat someone replied to, reactions set and cleared, replies, new chats changed
 * again. Chats 1 to 5 are the reader's from before. Returns the room's latest seq.
 */
async function changeEverything(alice: TestClient, bob: TestClient): Promise<number> {
  let n = 0;
  const id = () => `away-${++n}`;
  const room = "lobby";
  await acked(alice, { type: "edit", room, target: 1, text: "one, edited", clientMsgId: id() });
  await acked(bob, { type: "react", room, target: 2, emoji: "👍", on: true, clientMsgId: id() });
  await acked(alice, { type: "react", room, target: 2, emoji: "👍", on: true, clientMsgId: id() });
  await acked(bob, { type: "react", room, target: 2, emoji: "👍", on: false, clientMsgId: id() });
  await acked(alice, { type: "edit", room, target: 3, text: "three, edited, then deleted", clientMsgId: id() });
  await acked(bob, { type: "chat", room, text: "replying to four", replyTo: 4, clientMsgId: id() });
  await acked(alice, { type: "delete", room, target: 3, clientMsgId: id() });
  await acked(bob, { type: "delete", room, target: 4, clientMsgId: id() });
  const late = await acked(alice, { type: "chat", room, text: "new while away", clientMsgId: id() });
  await acked(alice, { type: "edit", room, target: late, text: "new while away, edited", clientMsgId: id() });
  await acked(bob, { type: "react", room, target: 5, emoji: "🎉", on: true, clientMsgId: id() });
  return acked(bob, { type: "react", room, target: late, emoji: "🔥", on: true, clientMsgId: id() });
}

/** The room's chats as they stand in the server's store. */
async function serverState(server: StartedServer): Promise<ChatFrame[]> {
  const { messages } = server.app.backend;
  const page = await messages.latestChats("lobby", await messages.latestSeq("lobby"), 1_000);
  expect(page.complete).toBe(true);
  return page.messages;
}

async function resumeAfterChanges(reader: ResumingClient, wsUrl: string) {
  await reader.connect(wsUrl);
  const alice = await fixture.join({ name: "alice" });
  const bob = await fixture.join({ name: "bob" });
  for (let i = 1; i <= 5; i++) await acked(i % 2 ? alice : bob, { type: "chat", room: "lobby", text: `chat ${i}`, clientMsgId: `c-${i}` });
  await reader.until(() => reader.contiguousSeq() === 5, "the first five chats");
  const away = reader.connection as TestClient;
  away.terminate();
  await away.closed;

  const latest = await changeEverything(alice, bob);
  await reader.connect(wsUrl);
  await reader.until(() => reader.contiguousSeq() === latest, "every event of the absence");
  return { latest, resumed: reader.connection as TestClient };
}

/**
 * Every change after `since` to a chat held from before was applied to it exactly once; a change
 * to a chat that came in the resume itself is already in its state as it stands (`rev` past it),
 * so it is applied at most once.
 */
function expectAppliedOnce(reader: ResumingClient, since: number, latest: number): void {
  const changes = [...(reader.events.get("lobby")?.values() ?? [])].filter(
    (event): event is Extract<typeof event, { target: number }> => "target" in event && event.seq > since,
  );
  const toHeld = changes.filter((change) => change.target <= since);
  expect(toHeld.length).toBeGreaterThan(5);
  for (const change of toHeld) expect(reader.projection().applied.get(change.seq), `seq ${change.seq}`).toBe(1);
  for (const change of changes) expect(reader.projection().applied.get(change.seq) ?? 0, `seq ${change.seq}`).toBeLessThanOrEqual(1);
  expect(reader.projection().upTo).toBe(latest);
}

describe("catching up on every change exactly once", () => {
  it("a client offline while messages were edited, deleted and reacted to resumes with join {since} and gets each event once", async () => {
    const server = await fixture.start();
    const reader = new ResumingClient({ name: "reader", rooms: ["lobby"] });
    try {
      const { latest, resumed } = await resumeAfterChanges(reader, server.wsUrl);
      const joined = resumed.ofType("joined")[0];
      expect(joined).toMatchObject({ complete: true, latestSeq: latest });
      // Exactly once on the wire: the resume's joined carries each seq after since once, nothing else repeats it.
      const seqs = [...(joined?.messages ?? []), ...liveEvents(resumed, "lobby")].map((event) => event.seq);
      expect(seqs).toEqual(Array.from({ length: latest - 5 }, (_, i) => 6 + i));
      expect(reader.violations).toEqual([]);
      expectAppliedOnce(reader, 5, latest);
      const state = await serverState(server);
      expect([...reader.log().values()].map(comparable)).toEqual(state.map(comparable));
      // Deleted means gone, on the reader's side too: no text of chats 3 and 4 or of 3's edit.
      expect(JSON.stringify(resumed.frames)).not.toMatch(/chat 3|chat 4|then deleted/);
    } finally {
      await reader.disconnect();
    }
  });

  it("the same when the resume is incomplete and `after` pages fill the gap", async () => {
    const server = await fixture.start({ WELCOME_SINCE_MAX: "3" });
    const reader = new ResumingClient({ name: "reader", rooms: ["lobby"] });
    try {
      const { latest, resumed } = await resumeAfterChanges(reader, server.wsUrl);
      expect(resumed.ofType("joined")[0]).toMatchObject({ complete: false, latestSeq: latest });
      const pages = resumed.ofType("history");
      expect(pages.length).toBeGreaterThanOrEqual(1);
      // The pages cover the gap from since on, every kind of event included.
      const paged = pages.flatMap((page) => page.messages.map((event) => event.seq));
      expect(paged).toEqual(Array.from({ length: latest - 5 }, (_, i) => 6 + i));
      expect(new Set(pages.flatMap((page) => page.messages.map((event) => event.type)))).toEqual(
        new Set(["chat", "edit", "delete", "reaction"]),
      );
      expect(reader.violations).toEqual([]);
      expectAppliedOnce(reader, 5, latest);
      const state = await serverState(server);
      expect([...reader.log().values()].map(comparable)).toEqual(state.map(comparable));
    } finally {
      await reader.disconnect();
    }
  });
});
