import type { ChatFrame, ServerFrameOf } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { ackOf, createRoom, joinWith } from "../support/access-frames";
import { acked, waitForSeq } from "../support/change-frames";
import { onlyChats, type TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const room = "lobby";

/** Everything the server sent `client` so far has arrived: a ping's pong comes after it. */
async function settled(client: TestClient, t: number): Promise<void> {
  const from = client.frames.length;
  client.send({ type: "ping", t });
  await client.waitFor((frame) => frame.type === "pong" && frame.t === t, { from });
}

const userOf = (client: TestClient) => ({ id: client.ready?.you.id, name: client.ready?.you.name });

describe("mentions over real sockets", () => {
  const fixture = useTestServer();

  it("are resolved when stored (present members, then recent authors) and every recipient and page gets the same", async () => {
    await fixture.start({ ROOM_MENTION_MEMBERS_MAX: "2" });
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    const carol = await fixture.join({ name: "carol" });
    await acked(carol, { type: "chat", room, text: "carol was here", clientMsgId: "c-1" });
    // carol leaves: an absent recent author now, and no longer a member (two members: alice, bob).
    await carol.leave(room);

    const first = await acked(bob, { type: "chat", room, text: "@alice and @Carol, @room", clientMsgId: "b-1" });
    const live = [await waitForSeq(alice, room, first), await waitForSeq(bob, room, first)];
    for (const chat of live) {
      expect(chat).toMatchObject({ mentions: [userOf(alice), userOf(carol)], mentionsRoom: true });
    }

    // A third member: bob, not staff, no longer mentions everyone; `@room` stays text.
    const dave = await fixture.join({ name: "dave" });
    const second = await acked(bob, { type: "chat", room, text: "@room again, @nobody", clientMsgId: "b-2" });
    const plain = (await waitForSeq(alice, room, second)) as ChatFrame;
    expect(plain.text).toBe("@room again, @nobody");
    expect(plain).not.toHaveProperty("mentionsRoom");
    expect(plain).not.toHaveProperty("mentions");

    // An edit is resolved again: dave in, alice, carol and @room out.
    const edit = await acked(bob, { type: "edit", room, target: first, text: "@dave only", clientMsgId: "b-3" });
    const edited = await waitForSeq(alice, room, edit);
    expect(edited).toMatchObject({ type: "edit", mentions: [userOf(dave)] });
    expect(edited).not.toHaveProperty("mentionsRoom");

    // Pages carry the current mentions.
    const from = dave.frames.length;
    dave.send({ type: "history", room, before: edit + 1, limit: 10 });
    const page = await dave.waitForType("history", { from });
    expect(onlyChats(page.messages).find((chat) => chat.seq === first)).toMatchObject({ mentions: [userOf(dave)] });
    for (const client of [alice, bob, carol, dave]) expect(client.invalid).toEqual([]);
  });

  it("staff's @room mentions everyone in a room of any size", async () => {
    await fixture.start({ ROOM_MENTION_MEMBERS_MAX: "2" });
    const owner = await fixture.open({ name: "olga" });
    const alice = await fixture.open({ name: "alice" });
    const bob = await fixture.open({ name: "bob" });
    const { key } = await createRoom(owner, "team", { private: false });
    await joinWith(owner, "team", { key });
    await joinWith(alice, "team");
    await joinWith(bob, "team");
    const member = await ackOf(alice, { type: "chat", room: "team", text: "@room hello", clientMsgId: "a-1" });
    const staff = await ackOf(owner, { type: "chat", room: "team", text: "@room hello", clientMsgId: "o-1" });
    expect(await waitForSeq(bob, "team", member)).not.toHaveProperty("mentionsRoom");
    expect(await waitForSeq(bob, "team", staff)).toMatchObject({ mentionsRoom: true });
  });
});

describe("unread mentions and notification levels over real sockets", () => {
  const fixture = useTestServer();

  it("ready and joined count the unread chats that mention you; notify is stored and echoed to you alone", async () => {
    await fixture.start();
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    expect(alice.joined).toMatchObject({ unreadMentions: 0, notify: "mentions" });

    let from = alice.frames.length;
    alice.send({ type: "notify", room, level: "all" });
    expect(await alice.waitForType("notify", { from })).toEqual({ type: "notify", room, level: "all" });
    await settled(bob, 1);
    expect(bob.ofType("notify")).toEqual([]);

    from = alice.frames.length;
    alice.send({ type: "notify", room: "elsewhere", level: "none" });
    expect(await alice.waitForType("error", { from })).toMatchObject({ code: "not_joined", room: "elsewhere" });

    const session = alice.ready.session;
    await alice.close();
    await acked(bob, { type: "chat", room, text: "@alice look", clientMsgId: "b-1" });
    await acked(bob, { type: "chat", room, text: "nothing for you", clientMsgId: "b-2" });
    const everyone = await acked(bob, { type: "chat", room, text: "@room lunch?", clientMsgId: "b-3" });
    await acked(bob, { type: "delete", room, target: everyone, clientMsgId: "b-4" });
    await acked(bob, { type: "chat", room, text: "@room lunch!", clientMsgId: "b-5" });

    const back = await fixture.open({ session });
    expect(back.ready.rooms).toEqual([{ room, latestSeq: 5, readSeq: 0, unread: 3, unreadMentions: 2, notify: "all" }]);
    const joined = await back.join(room);
    expect(joined).toMatchObject({ readSeq: 0, unreadMentions: 2, notify: "all" });
  });

  it("history around a seq: the chats on both sides, both flags, never past what was sent", async () => {
    await fixture.start();
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    for (let i = 1; i <= 10; i++) await acked(bob, { type: "chat", room, text: `chat ${i}`, clientMsgId: `b-${i}` });
    await waitForSeq(alice, room, 10);
    const page = async (around: number, limit: number): Promise<ServerFrameOf<"history">> => {
      const from = alice.frames.length;
      alice.send({ type: "history", room, around, limit });
      return alice.waitForType("history", { from });
    };
    const middle = await page(5, 4);
    expect(onlyChats(middle.messages).map((chat) => chat.seq)).toEqual([4, 5, 6, 7]);
    expect(middle).toMatchObject({ hasOlder: true, hasNewer: true });
    const end = await page(500, 3);
    expect(onlyChats(end.messages).map((chat) => chat.seq)).toEqual([8, 9, 10]);
    expect(end).toMatchObject({ hasOlder: true, hasNewer: false });
    expect(alice.invalid).toEqual([]);
  });
});
