import type pg from "pg";
import { beforeEach, describe, expect, it } from "vitest";
import { BackendClosedError } from "../../src/backend/backend-closed-error";
import type { Membership } from "../../src/backend/membership-store";
import { PgMembershipStore } from "../../src/backend/postgres/membership-store";
import { usePgNodes } from "../support/use-pg-nodes";

const alice = "u_alice";
// Shares a prefix with alice's id: neither her own-message rule nor her mentions may pick it up.
const alicia = "u_alice2";
const bob = "u_bob";
const bound = { maxRooms: 50 };

/**
 * The stores' direct tests, with the rows an append would leave written here by hand: `rooms.seq`
 * taken as migration 1 says, a `chats` row for a chat, nothing in `chats` for an edit or reaction.
 * The same rules over real appends are the membership contract (test/contract/membership-contract.ts).
 */
describe("PgMembershipStore", () => {
  const nodes = usePgNodes("membership_test");
  const storeOn = (node: 0 | 1) => new PgMembershipStore({ pool: nodes.pools[node] });
  const db = (): pg.Pool => nodes.pools[0];
  let sent = 0;

  beforeEach(() => nodes.truncate("memberships", "chats", "rooms"));

  async function takeSeq(room: string): Promise<number> {
    const { rows } = await db().query<{ seq: number }>(
      "INSERT INTO rooms (room, seq) VALUES ($1, 1) ON CONFLICT (room) DO UPDATE SET seq = rooms.seq + 1 RETURNING seq",
      [room],
    );
    return rows[0]?.seq ?? Number.NaN;
  }

  /** A chat as the message store leaves it; mentions as chat-state.ts keeps them (users, and `@room` as 1). */
  async function chat(room: string, from: string, mentions: { users?: string[]; room?: boolean } = {}): Promise<number> {
    const seq = await takeSeq(room);
    const users = mentions.users?.map((id) => ({ id, name: `name of ${id}` }));
    await db().query(
      `INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, rev, mentions, mentions_room)
       VALUES ($1, $2, $3, $4, $4, 'hi', 0, $3, $2, $5, $6)`,
      [room, seq, `m${sent++}`, from, users ? JSON.stringify(users) : null, mentions.room ? 1 : null],
    );
    return seq;
  }

  /** An edit or a reaction: it takes a seq and writes no chat. */
  const change = (room: string) => takeSeq(room);

  /** A deletion as sqlite/message-store.ts makes it: text and mentions gone, `deleted_ts` set; it takes a seq. */
  async function remove(room: string, seq: number): Promise<void> {
    await takeSeq(room);
    await db().query(
      `UPDATE chats SET text = NULL, mentions = NULL, mentions_room = NULL, deleted_by_id = user_id, deleted_by_name = user_name, deleted_ts = 1
       WHERE room = $1 AND seq = $2`,
      [room, seq],
    );
  }

  /** An edit that changes whom a chat mentions. */
  async function editMentions(room: string, seq: number, users: string[]): Promise<void> {
    await takeSeq(room);
    const json = users.length ? JSON.stringify(users.map((id) => ({ id, name: id }))) : null;
    await db().query("UPDATE chats SET mentions = $3 WHERE room = $1 AND seq = $2", [room, seq, json]);
  }

  const counts = (room: string, latestSeq: number, readSeq: number, unread: number, unreadMentions = 0): Membership => ({
    room,
    latestSeq,
    readSeq,
    unread,
    unreadMentions,
    notify: "mentions",
  });

  it("join, list, leave; a second join or leave changes nothing; readSeq undefined when not a member", async () => {
    const store = storeOn(0);
    expect(await store.list(alice)).toEqual([]);
    expect(await store.join(alice, "lobby", bound)).toBe("joined");
    expect(await store.join(alice, "lobby", bound)).toBe("already");
    expect(await store.join(alice, "den", bound)).toBe("joined");
    expect(await store.list(alice)).toEqual([counts("den", 0, 0, 0), counts("lobby", 0, 0, 0)]);
    expect(await store.readSeq(alice, "den")).toBe(0);
    expect(await store.readSeq(bob, "den")).toBeUndefined();
    expect(await store.memberCount("den")).toBe(1);
    expect(await store.leave(alice, "lobby")).toBe(true);
    expect(await store.leave(alice, "lobby")).toBe(false);
    expect(await store.readSeq(alice, "lobby")).toBeUndefined();
    expect(await storeOn(1).list(alice)).toEqual([counts("den", 0, 0, 0)]);
  });

  it("a new membership starts read up to rooms.seq; leave forgets the marker", async () => {
    const store = storeOn(0);
    for (let i = 0; i < 3; i++) await chat("busy", bob);
    expect(await store.join(alice, "busy", bound)).toBe("joined");
    expect(await store.list(alice)).toEqual([counts("busy", 3, 3, 0)]);
    await chat("busy", bob);
    await chat("busy", bob);
    expect(await store.list(alice)).toEqual([counts("busy", 5, 3, 2)]);
    await store.leave(alice, "busy");
    await change("busy");
    expect(await store.join(alice, "busy", bound)).toBe("joined");
    expect(await store.membership(alice, "busy")).toEqual(counts("busy", 6, 6, 0));
  });

  it("counts other users' chats after the marker: not the user's own, not edits or reactions, not a deleted chat", async () => {
    const store = storeOn(0);
    await store.join(alice, "r", bound);
    const senders = [bob, alice, alicia, alice, bob, bob, alice, alicia];
    for (const from of senders) await chat("r", from);
    for (let i = 0; i < 4; i++) await chat("elsewhere", bob);
    const othersAfter = (readSeq: number) => senders.slice(readSeq).filter((from) => from !== alice).length;
    expect(await store.list(alice)).toEqual([counts("r", 8, 0, othersAfter(0))]);
    for (const readSeq of [2, 5, 8]) {
      expect(await store.markRead(alice, "r", readSeq)).toBe(readSeq);
      expect(await store.membership(alice, "r")).toEqual(counts("r", 8, readSeq, othersAfter(readSeq)));
    }
    const first = await chat("r", bob); // 9
    await chat("r", bob); // 10
    await chat("r", alice); // 11: her own
    await change("r"); // 12: an edit
    await change("r"); // 13: a reaction
    expect(await store.membership(alice, "r")).toEqual(counts("r", 13, 8, 2));
    await remove("r", first); // 14
    expect(await store.membership(alice, "r")).toEqual(counts("r", 14, 8, 1));
  });

  it("membership(upTo) counts up to that seq; latestSeq is the room's either way", async () => {
    const store = storeOn(0);
    await store.join(alice, "r", bound);
    for (let i = 0; i < 6; i++) await chat("r", bob, { users: [alice] });
    expect(await store.membership(alice, "r", 4)).toEqual(counts("r", 6, 0, 4, 4));
    expect(await store.membership(alice, "r", 0)).toEqual(counts("r", 6, 0, 0, 0));
    expect(await store.membership(alice, "r")).toEqual(counts("r", 6, 0, 6, 6));
    expect(await store.membership(bob, "r")).toBeUndefined();
  });

  it("counts unread mentions as chat-state.ts mentionsUser: her id among the mentions, or @room; as they stand now", async () => {
    const store = storeOn(0);
    await store.join(alice, "r", bound);
    await chat("r", bob, { users: [alice] }); // 1: counted
    await chat("r", bob, { users: [alicia] }); // 2: another id, even one she prefixes
    await chat("r", bob, { users: [bob, alice] }); // 3: counted
    await chat("r", bob, { room: true }); // 4: @room, counted
    await chat("r", alice, { users: [alice], room: true }); // 5: her own, never unread
    await chat("r", bob); // 6: unread, no mention
    const deleted = await chat("r", bob, { users: [alice] }); // 7
    const editedAway = await chat("r", bob, { users: [alice] }); // 8
    const editedIn = await chat("r", bob); // 9
    expect(await store.membership(alice, "r")).toEqual(counts("r", 9, 0, 8, 5));
    await remove("r", deleted); // 10
    await editMentions("r", editedAway, []); // 11
    await editMentions("r", editedIn, [alice]); // 12
    expect(await store.membership(alice, "r")).toEqual(counts("r", 12, 0, 7, 4));
    expect(await store.markRead(alice, "r", 3)).toBe(3);
    // Unread after 3: 4 (@room), 6, 8 (mention edited away), 9 (mention edited in); 5 is hers, 7 deleted.
    expect(await store.list(alice)).toEqual([counts("r", 12, 3, 4, 2)]);
    await store.join(alicia, "r", bound);
    await chat("r", bob, { users: [alicia] });
    expect(await store.membership(alicia, "r")).toEqual(counts("r", 13, 12, 1, 1));
  });

  it("markRead moves forward only, clamps to rooms.seq, and changes nothing for a non-member", async () => {
    const store = storeOn(0);
    expect(await store.markRead(alice, "r", 1)).toBeUndefined();
    await store.join(alice, "r", bound);
    expect(await store.markRead(alice, "r", 5)).toBe(0);
    for (let i = 0; i < 10; i++) await chat("r", bob);
    expect(await store.markRead(alice, "r", 6)).toBe(6);
    expect(await store.markRead(alice, "r", 3)).toBe(6);
    expect(await store.markRead(alice, "r", 6)).toBe(6);
    expect(await store.markRead(alice, "r", 1_000)).toBe(10);
    await chat("r", bob);
    expect(await store.list(alice)).toEqual([counts("r", 11, 10, 1)]);
    expect(await store.list(bob)).toEqual([]);
  });

  it("concurrent markReads from two nodes leave the largest (clamped): the marker never goes back", async () => {
    const [here, there] = [storeOn(0), storeOn(1)];
    await here.join(alice, "r", bound);
    for (let i = 0; i < 30; i++) await chat("r", bob);
    // Every residue of 37 in a scrambled order: some past the room's latest (30), some far behind.
    const marks = Array.from({ length: 37 }, (_, i) => (i * 7) % 37);
    const stored = await Promise.all(marks.map((seq, i) => (i % 2 ? here : there).markRead(alice, "r", seq)));
    // Each answer is what was stored then: at least its own (clamped) mark, never past the latest.
    expect(stored.every((seq, i) => seq !== undefined && seq >= Math.min(marks[i] ?? 0, 30) && seq <= 30)).toBe(true);
    expect(await here.readSeq(alice, "r")).toBe(30);
  });

  it("maxRooms bounds a user's memberships; already still says already; leaving frees a slot", async () => {
    const store = storeOn(0);
    const three = { maxRooms: 3 };
    for (const room of ["a", "b", "c"]) expect(await store.join(alice, room, three)).toBe("joined");
    expect(await store.join(alice, "d", three)).toBe("too_many");
    expect(await store.join(alice, "b", three)).toBe("already");
    expect(await store.join(bob, "d", three)).toBe("joined");
    await store.leave(alice, "a");
    expect(await store.join(alice, "d", three)).toBe("joined");
    expect((await store.list(alice)).map((m) => m.room)).toEqual(["b", "c", "d"]);
  });

  it("maxRooms holds across two nodes joining one user at once", async () => {
    const [here, there] = [storeOn(0), storeOn(1)];
    for (let round = 0; round < 5; round++) {
      const user = `racer-${round}`;
      const rooms = Array.from({ length: 12 }, (_, i) => `race-${i}`);
      const outcomes = await Promise.all(rooms.map((room, i) => (i % 2 ? here : there).join(user, room, { maxRooms: 5 })));
      expect(outcomes.filter((outcome) => outcome === "joined")).toHaveLength(5);
      expect(outcomes.filter((outcome) => outcome === "too_many")).toHaveLength(7);
      expect(await here.list(user)).toHaveLength(5);
      const same = await Promise.all([0, 1, 2, 3].map((i) => (i % 2 ? here : there).join(user, "same-room", { maxRooms: 6 })));
      expect([...same].sort()).toEqual(["already", "already", "already", "joined"]);
    }
  });

  it("lists rooms in code-unit order, whatever the database's collation", async () => {
    const store = storeOn(0);
    // UTF-16 code units: "😀" is a surrogate pair (0xD83D ...) and sorts before "ｱ" (0xFF71), which
    // UTF-8 byte order (COLLATE "C") puts the other way round; a linguistic collation mixes cases.
    const rooms = ["中", "ｱ", "a", "😀", "é", "B", "Z", "b"];
    for (const room of rooms) await store.join(alice, room, bound);
    expect((await store.list(alice)).map((m) => m.room)).toEqual(["B", "Z", "a", "b", "é", "中", "😀", "ｱ"]);
  });

  it("setNotify stores the level for a member only; memberCount counts a room's members", async () => {
    const [here, there] = [storeOn(0), storeOn(1)];
    await here.join(alice, "r", bound);
    await there.join(bob, "r", bound);
    expect(await here.setNotify(alice, "r", "all")).toBe(true);
    expect(await here.setNotify(alicia, "r", "all")).toBe(false);
    expect((await there.membership(alice, "r"))?.notify).toBe("all");
    expect((await there.membership(bob, "r"))?.notify).toBe("mentions");
    expect(await there.memberCount("r")).toBe(2);
    expect(await there.memberCount("nowhere")).toBe(0);
    expect(await there.list(alicia)).toEqual([]);
  });

  it("refuses every call once closed, with BackendClosedError, and changes nothing", async () => {
    await storeOn(0).join(alice, "r", bound);
    const closed = new PgMembershipStore({ pool: nodes.pools[0], isOpen: () => false });
    await expect(closed.join(alice, "s", bound)).rejects.toThrow(BackendClosedError);
    await expect(closed.leave(alice, "r")).rejects.toThrow(BackendClosedError);
    await expect(closed.list(alice)).rejects.toThrow(BackendClosedError);
    await expect(closed.readSeq(alice, "r")).rejects.toThrow(BackendClosedError);
    await expect(closed.markRead(alice, "r", 1)).rejects.toThrow(BackendClosedError);
    await expect(closed.membership(alice, "r")).rejects.toThrow(BackendClosedError);
    await expect(closed.setNotify(alice, "r", "all")).rejects.toThrow(BackendClosedError);
    await expect(closed.memberCount("r")).rejects.toThrow(BackendClosedError);
    expect(await storeOn(0).list(alice)).toEqual([counts("r", 0, 0, 0)]);
  });
});
