import type { LogItem } from "@chatroom/client";
import type { ChatFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { groupRows } from "../src/components/message-list/group-rows";

const GROUP_MS = 5 * 60_000;
// Local wall-clock times, so the day boundaries hold in any time zone the tests run in.
const at = (day: number, hour: number, minute = 0) => new Date(2026, 2, day, hour, minute).getTime();
const users = { alice: { id: "u-alice", name: "alice" }, bob: { id: "u-bob", name: "bob" } };

function chatItem(seq: number, from: keyof typeof users, ts: number): LogItem {
  const message: ChatFrame = {
    type: "chat",
    seq,
    id: `m-${seq}`,
    room: "lobby",
    from: users[from],
    text: `m${seq}`,
    ts,
    clientMsgId: `c${seq}`,
  };
  return { type: "chat", key: `c-${seq}`, message };
}

function eventItem(key: string, ts: number): LogItem {
  return { type: "event", key, entry: { key, ts, afterSeq: 0, event: { kind: "joined", user: users.bob } } };
}

const shape = (items: LogItem[]) =>
  groupRows(items, GROUP_MS).map((row) => (row.kind === "chat" ? `${row.key}${row.grouped ? " grouped" : ""}` : row.kind));

describe("groupRows", () => {
  it("starts each local day with a separator keyed by the day", () => {
    const rows = groupRows([chatItem(1, "alice", at(1, 23, 50)), chatItem(2, "alice", at(2, 0, 1))], GROUP_MS);
    expect(rows.map((row) => row.kind)).toEqual(["day", "chat", "day", "chat"]);
    expect(rows[0]).toEqual({ kind: "day", key: `d-${new Date(at(1, 23, 50)).toDateString()}`, ts: at(1, 23, 50) });
    // Eleven minutes apart would group, but a new day starts a new header.
    expect(rows[3]).toMatchObject({ kind: "chat", grouped: false });
  });

  it("groups consecutive chats by one author within the window, and no longer", () => {
    const items = [
      chatItem(1, "alice", at(1, 10, 0)),
      chatItem(2, "alice", at(1, 10, 4)),
      chatItem(3, "alice", at(1, 10, 9)), // 5 minutes after the previous: the window is exclusive
      chatItem(4, "bob", at(1, 10, 10)),
      chatItem(5, "alice", at(1, 10, 11)),
    ];
    expect(shape(items)).toEqual(["day", "c-1", "c-2 grouped", "c-3", "c-4", "c-5"]);
  });

  it("breaks a group at an event line but keeps the day", () => {
    const items = [chatItem(1, "alice", at(1, 10)), eventItem("e-1", at(1, 10)), chatItem(2, "alice", at(1, 10, 1))];
    expect(shape(items)).toEqual(["day", "c-1", "event", "c-2"]);
  });

  it("puts no separator before events that come before any chat", () => {
    expect(shape([eventItem("e-1", at(1, 9)), chatItem(1, "bob", at(1, 10))])).toEqual(["event", "day", "c-1"]);
    expect(groupRows([], GROUP_MS)).toEqual([]);
  });

  it("puts the new-messages line above the first chat from someone else after the read marker, starting a group there", () => {
    const items = [
      chatItem(1, "bob", at(1, 10, 0)),
      chatItem(2, "alice", at(1, 10, 1)), // after the marker, but alice is the reader: her own words are not news
      chatItem(3, "bob", at(1, 10, 2)),
      chatItem(4, "bob", at(1, 10, 3)),
    ];
    const withMarker = (readSeq: number) =>
      groupRows(items, GROUP_MS, { readSeq, myId: users.alice.id }).map((row) =>
        row.kind === "chat" ? `${row.key}${row.grouped ? " grouped" : ""}` : row.kind,
      );
    expect(withMarker(1)).toEqual(["day", "c-1", "c-2", "unread", "c-3", "c-4 grouped"]);
    expect(withMarker(0)).toEqual(["day", "unread", "c-1", "c-2", "c-3", "c-4 grouped"]);
    // Nothing after the marker, or no marker: no line.
    expect(withMarker(4)).not.toContain("unread");
    expect(shape(items)).not.toContain("unread");
    // Within one author's run, the line splits the group: the first unread chat shows its header.
    const run = [chatItem(1, "bob", at(1, 10, 0)), chatItem(2, "bob", at(1, 10, 1))];
    const rows = groupRows(run, GROUP_MS, { readSeq: 1, myId: users.alice.id });
    expect(rows.map((row) => (row.kind === "chat" ? `${row.key}${row.grouped ? " grouped" : ""}` : row.kind))).toEqual([
      "day",
      "c-1",
      "unread",
      "c-2",
    ]);
  });
});
