import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { ackOf, answerOf, createRoom, joinWith, makeInvite, moderationOf } from "../support/access-frames";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";
import { waitUntil } from "../support/wait-until";

/** [4/6] over real sockets: creating rooms, passes and invites, moderation and reports, on memory and SQLite. */
describe.each(["memory", "sqlite"] as const)("rooms, passes and moderation (%s)", (history) => {
  const fixture = useTestServer();
  const start = () => fixture.startWithHistory(history);

  it("create: created with the owner pass, then the ack of the create event; the pass makes another connection owner", async () => {
    const server = await start();
    const alice = await fixture.open({ name: "alice" });
    const { key, seq } = await createRoom(alice, "team", { private: true });
    expect(seq).toBe(1);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const created = alice.frames.findIndex((f) => f.type === "created");
    const ack = alice.frames.findIndex((f) => f.type === "ack");
    expect(created).toBeLessThan(ack);
    // A second create of the same room: room_exists.
    expect(await answerOf(alice, { type: "create", room: "team", private: false, clientMsgId: "again" })).toMatchObject({
      type: "error",
      code: "room_exists",
      room: "team",
    });

    const device = await fixture.open({ name: "alice-phone" });
    const joined = await joinWith(device, "team", { key, since: 0 });
    expect(joined).toMatchObject({ type: "joined", role: "owner", private: true, locked: false, slowModeMs: 0, you: { role: "owner" } });
    if (joined.type !== "joined") throw new Error("not joined");
    expect(joined.staff.map((member) => member.role)).toEqual(["owner", "owner"]);
    expect(joined.messages[0]).toMatchObject({
      type: "moderation",
      seq: 1,
      action: "create",
      private: true,
      by: { id: alice.ready.you.id },
    });
    expect(joined.key).toBeUndefined();

    // A private room is not listed, whoever asks.
    const rooms = (await (await fetch(`${server.url}/api/rooms`)).json()) as { rooms: Array<{ name: string }> };
    expect(rooms.rooms.map((room) => room.name)).not.toContain("team");
    // Nobody without a pass or an invite gets in: forbidden, and no membership.
    const stranger = await fixture.open({ name: "stranger" });
    expect(await joinWith(stranger, "team")).toMatchObject({ type: "error", code: "forbidden", room: "team" });
    expect((await TestClient.open(server.wsUrl, { session: stranger.session as string })).ready.rooms).toEqual([]);
    for (const client of [alice, device, stranger]) expect(client.invalid).toEqual([]);
  });

  it("an invite admits its holder once with a pass in joined.key; the pass lets the holder back in without the invite", async () => {
    await start();
    const owner = await fixture.open({ name: "olga" });
    const { key } = await createRoom(owner, "club", { private: true });
    await joinWith(owner, "club", { key });
    const { code } = await makeInvite(owner, "club", { maxUses: 1, clientMsgId: "inv-1" });
    const guest = await fixture.open({ name: "gus" });
    const joined = await joinWith(guest, "club", { invite: code });
    expect(joined).toMatchObject({ type: "joined", role: "member", private: true });
    const pass = joined.type === "joined" ? joined.key : undefined;
    expect(pass).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Another tab of the same browser: a new participant with the pass, no invite needed.
    const tab = await fixture.open({ name: "gus-tab" });
    expect(await joinWith(tab, "club", { key: pass as string })).toMatchObject({ type: "joined", role: "member" });
    // The invite was for one use.
    const late = await fixture.open({ name: "late" });
    expect(await joinWith(late, "club", { invite: code })).toMatchObject({ type: "error", code: "invite_invalid", room: "club" });
  });

  it("mute, slow mode and lock refuse with their codes; staff are exempt; the events reach everyone in order", async () => {
    const now = Date.UTC(2026, 0, 1);
    // The store's clock stands still, so retryAfterMs is exact (the SQLite run uses the memory store here too).
    await fixture.start({}, { backend: new MemoryBackend({ nodeId: "clock", now: () => now }) });
    const owner = await fixture.open({ name: "olga" });
    const { key } = await createRoom(owner, "hall", { private: false });
    await joinWith(owner, "hall", { key });
    const bob = await fixture.open({ name: "bob" });
    await joinWith(bob, "hall");
    const by = await fixture.open({ name: "bystander" });
    await joinWith(by, "hall");
    const bobId = bob.ready.you.id;

    await ackOf(owner, { type: "moderate", room: "hall", clientMsgId: "m-1", action: "mute", user: bobId, durationMs: 600_000 });
    expect(await answerOf(bob, { type: "chat", room: "hall", text: "hi", clientMsgId: "b-1" })).toMatchObject({
      type: "error",
      code: "muted",
      room: "hall",
      retryAfterMs: 600_000,
    });
    await ackOf(owner, { type: "moderate", room: "hall", clientMsgId: "m-2", action: "unmute", user: bobId });
    await ackOf(owner, { type: "moderate", room: "hall", clientMsgId: "m-3", action: "slow-mode", intervalMs: 30_000 });
    await ackOf(bob, { type: "chat", room: "hall", text: "one", clientMsgId: "b-2" });
    expect(await answerOf(bob, { type: "chat", room: "hall", text: "two", clientMsgId: "b-3" })).toMatchObject({
      code: "slow_mode",
      retryAfterMs: 30_000,
    });
    // Staff are exempt.
    await ackOf(owner, { type: "chat", room: "hall", text: "owner one", clientMsgId: "o-1" });
    await ackOf(owner, { type: "chat", room: "hall", text: "owner two", clientMsgId: "o-2" });
    await ackOf(owner, { type: "moderate", room: "hall", clientMsgId: "m-4", action: "lock", locked: true });
    expect(await answerOf(by, { type: "chat", room: "hall", text: "locked?", clientMsgId: "y-1" })).toMatchObject({ code: "locked" });
    await ackOf(owner, { type: "chat", room: "hall", text: "staff may", clientMsgId: "o-3" });
    // A member may not moderate.
    expect(await answerOf(bob, { type: "moderate", room: "hall", clientMsgId: "b-4", action: "lock", locked: false })).toMatchObject({
      code: "forbidden",
    });

    const latest = await ackOf(owner, { type: "moderate", room: "hall", clientMsgId: "m-5", action: "lock", locked: false });
    for (const client of [owner, bob, by]) {
      await client.waitFor((f) => f.type === "moderation" && f.seq === latest);
      expect(moderationOf(client, "hall").map((event) => [event.action, event.by.name])).toEqual([
        ["mute", "olga"],
        ["unmute", "olga"],
        ["slow-mode", "olga"],
        ["lock", "olga"],
        ["lock", "olga"],
      ]);
      expect(moderationOf(client, "hall")[0]).toMatchObject({
        user: { id: bobId, name: "bob" },
        durationMs: 600_000,
        until: now + 600_000,
      });
      expect(client.invalid).toEqual([]);
    }
  });

  it("staff delete others' messages; reports reach staff online; room-admin lists them; resolve tells staff", async () => {
    await start();
    const owner = await fixture.open({ name: "olga" });
    const { key } = await createRoom(owner, "desk", { private: false });
    await joinWith(owner, "desk", { key });
    const bob = await fixture.open({ name: "bob" });
    await joinWith(bob, "desk");
    const carol = await fixture.open({ name: "carol" });
    await joinWith(carol, "desk");
    const spam = await ackOf(bob, { type: "chat", room: "desk", text: "buy now", clientMsgId: "b-1" });

    // A member may not delete another's message; a member may not see the staff view.
    expect(await answerOf(carol, { type: "delete", room: "desk", target: spam, clientMsgId: "c-0" })).toMatchObject({ code: "forbidden" });
    carol.send({ type: "room-admin", room: "desk" });
    await carol.waitFor((f) => f.type === "error" && f.code === "forbidden" && f.room === "desk");

    await ackOf(carol, { type: "report", room: "desk", target: spam, reason: "spam", clientMsgId: "c-1" });
    const reported = await carol.waitForType("reported");
    const report = await owner.waitForType("report");
    expect(report.report).toMatchObject({ id: reported.report, target: spam, reason: "spam", by: { name: "carol" }, text: "buy now" });
    // A barrier on bob's socket: the server sent the report out before the owner read it, so a
    // copy for bob would come before this pong. Without it the check below could pass vacuously.
    bob.send({ type: "ping", t: 1 });
    await bob.waitFor((f) => f.type === "pong" && f.t === 1);
    expect(bob.ofType("report")).toEqual([]);

    owner.send({ type: "room-admin", room: "desk" });
    const view = await owner.waitForType("room-admin");
    expect(view.reports.map((entry) => entry.id)).toEqual([reported.report]);

    await ackOf(owner, { type: "resolve-report", room: "desk", report: reported.report, clientMsgId: "o-1" });
    expect(await owner.waitForType("report-resolved")).toMatchObject({ report: reported.report, by: { name: "olga" }, clientMsgId: "o-1" });
    const deleted = await ackOf(owner, { type: "delete", room: "desk", target: spam, clientMsgId: "o-2" });
    expect(await bob.waitFor((f) => f.type === "delete" && f.seq === deleted)).toMatchObject({ target: spam, by: { name: "olga" } });
    for (const client of [owner, bob, carol]) expect(client.invalid).toEqual([]);
  });
});

describe("what the Who may enter section says beyond its examples", () => {
  const fixture = useTestServer();

  it("staff frames need the room joined; create resends are acked without a second key; report targets; moderator renames", async () => {
    const server = await fixture.start();
    const owner = await fixture.open({ name: "olga" });
    const bob = await fixture.open({ name: "bob" });
    const taken = await fixture.open({ name: "carol" });
    const bobId = bob.ready.you.id;
    // Not joined yet: not_joined, with the room and the clientMsgId.
    expect(await answerOf(owner, { type: "moderate", room: "den", clientMsgId: "early", action: "lock", locked: true })).toMatchObject({
      code: "not_joined",
      room: "den",
      clientMsgId: "early",
    });
    const { key } = await createRoom(owner, "den", { private: false });
    // The same create again (its answers lost): acked again, and the key is not sent twice.
    expect(await ackOf(owner, { type: "create", room: "den", private: false, clientMsgId: "create-den" })).toBe(1);
    expect(owner.ofType("created")).toHaveLength(1);
    await joinWith(owner, "den", { key });
    await joinWith(bob, "den");
    await joinWith(taken, "den");
    const chat = await ackOf(bob, { type: "chat", room: "den", text: "oops", clientMsgId: "b-1" });
    const lock = await ackOf(owner, { type: "moderate", room: "den", clientMsgId: "m-1", action: "lock", locked: false });
    expect(await answerOf(taken, { type: "report", room: "den", target: lock, reason: "not a chat", clientMsgId: "c-1" })).toMatchObject({
      code: "not_found",
    });
    await ackOf(bob, { type: "delete", room: "den", target: chat, clientMsgId: "b-2" });
    expect(await answerOf(taken, { type: "report", room: "den", target: chat, reason: "gone now", clientMsgId: "c-2" })).toMatchObject({
      code: "gone",
    });
    // A moderator's rename to a name someone here holds: name_taken; to a free one: bob is renamed, session included.
    expect(
      await answerOf(owner, { type: "moderate", room: "den", clientMsgId: "m-2", action: "rename", user: bobId, name: "carol" }),
    ).toMatchObject({
      code: "name_taken",
      room: "den",
      clientMsgId: "m-2",
    });
    await ackOf(owner, { type: "moderate", room: "den", clientMsgId: "m-3", action: "rename", user: bobId, name: "robert" });
    // Bob's own connection renames him, as his own rename would: the room tells, then the session keeps it.
    // (His join and the rename may fall in one coalesced system frame.)
    await bob.waitFor(
      (f) =>
        f.type === "system" &&
        [...f.joined, ...f.renamed.map((entry) => entry.user)].some((user) => user.id === bobId && user.name === "robert"),
    );
    const session = bob.session as string;
    await bob.close();
    await waitUntil(
      async () => {
        const probe = await TestClient.open(server.wsUrl, { session });
        const name = probe.ready.you.name;
        await probe.close();
        return name === "robert";
      },
      { what: "bob's session renamed" },
    );
  });
});
