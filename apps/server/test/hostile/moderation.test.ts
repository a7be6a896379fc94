import { describe, expect, it } from "vitest";
import { ackOf, answerOf, createRoom, joinWith, leftOf, makeInvite, moderationOf } from "../support/access-frames";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";
import { waitUntil } from "../support/wait-until";
import { expectBystanderUnharmed, joinBystander } from "./support/bystander";

/** [4/6] hostile cases on one node: invite races and replays, rank violations, kicks and bans, resumes. */
describe("hostile: invites, rank and removal", () => {
  const fixture = useTestServer();

  async function ownedRoom(room: string, options: { private: boolean }) {
    const server = await fixture.start();
    const owner = await fixture.open({ name: "olga" });
    const { key } = await createRoom(owner, room, options);
    await joinWith(owner, room, { key });
    const bystander = await joinBystanderWith(server.wsUrl, room, owner, options.private);
    fixture.track(bystander);
    return { server, owner, key, bystander };
  }

  /** A bystander that is a member of the room (by an invite when it is private). */
  async function joinBystanderWith(wsUrl: string, room: string, owner: TestClient, isPrivate: boolean) {
    if (!isPrivate) return joinBystander(wsUrl, room);
    const { code } = await makeInvite(owner, room, { clientMsgId: "inv-bystander" });
    const bystander = await TestClient.open(wsUrl, { name: "bystander" });
    const joined = await joinWith(bystander, room, { invite: code });
    if (joined.type !== "joined") throw new Error(`bystander refused: ${JSON.stringify(joined)}`);
    return Object.assign(bystander, { joined });
  }

  it("an invite with maxUses 2 raced by 3 connections admits exactly 2; the third, a replay and a revoked invite get invite_invalid", async () => {
    const { server, owner, bystander } = await ownedRoom("vault", { private: true });
    const { code } = await makeInvite(owner, "vault", { maxUses: 2, clientMsgId: "inv-2" });
    const racers = await Promise.all([0, 1, 2].map((i) => fixture.open({ name: `racer-${i}` })));
    // All three joins are on the wire before any answer comes back.
    const answers = await Promise.all(racers.map((racer) => joinWith(racer, "vault", { invite: code })));
    expect(answers.filter((answer) => answer.type === "joined")).toHaveLength(2);
    expect(answers.filter((answer) => answer.type === "error").map((answer) => answer.type === "error" && answer.code)).toEqual([
      "invite_invalid",
    ]);
    // Replaying the used-up code from a fresh connection: the same answer.
    const replayer = await fixture.open({ name: "replayer" });
    expect(await joinWith(replayer, "vault", { invite: code })).toMatchObject({ type: "error", code: "invite_invalid", room: "vault" });
    // A revoked invite, never used.
    const revoked = await makeInvite(owner, "vault", { clientMsgId: "inv-3" });
    await ackOf(owner, { type: "revoke-invite", room: "vault", invite: revoked.id, clientMsgId: "rev-3" });
    expect(await owner.waitForType("invite-revoked")).toMatchObject({ invite: revoked.id, clientMsgId: "rev-3" });
    expect(await joinWith(replayer, "vault", { invite: revoked.code })).toMatchObject({ type: "error", code: "invite_invalid" });
    // An unknown code tells a guesser nothing more.
    expect(await joinWith(replayer, "vault", { invite: "A".repeat(43) })).toMatchObject({ type: "error", code: "invite_invalid" });
    expect(await joinWith(replayer, "vault")).toMatchObject({ type: "error", code: "forbidden" });
    expect(server.app.hub.connectionCount).toBeGreaterThan(0);
    await expectBystanderUnharmed(bystander);
  });

  it("a moderator acting on an owner, or another moderator, is forbidden and changes nothing", async () => {
    const { owner, bystander } = await ownedRoom("ranks", { private: false });
    const { code } = await makeInvite(owner, "ranks", { role: "moderator", clientMsgId: "inv-mod" });
    const mod = await fixture.open({ name: "moe" });
    expect(await joinWith(mod, "ranks", { invite: code })).toMatchObject({ type: "joined", role: "moderator", you: { role: "moderator" } });
    const ownerId = owner.ready.you.id;
    for (const [i, frame] of [
      { action: "kick", user: ownerId },
      { action: "ban", user: ownerId },
      { action: "mute", user: ownerId },
      { action: "role", user: ownerId, role: "member" },
      { action: "rename", user: ownerId, name: "loser" },
    ].entries()) {
      const answer = await answerOf(mod, { type: "moderate", room: "ranks", clientMsgId: `x-${i}`, ...frame } as never);
      expect(answer).toMatchObject({ type: "error", code: "forbidden", room: "ranks", clientMsgId: `x-${i}` });
    }
    // The owner is untouched: still here, still owner, still speaking. The owner's ack is the
    // barrier: a `left` sent to the owner by a wrongly accepted kick would have come before it.
    await ackOf(owner, { type: "chat", room: "ranks", text: "still in charge", clientMsgId: "o-1" });
    expect(owner.ofType("left")).toEqual([]);
    expect(moderationOf(owner, "ranks").map((event) => event.action)).toEqual(["role"]);
    await expectBystanderUnharmed(bystander);
  });

  it("kick: the target leaves at once with left{kicked, by}; in an open room it may join again, with since", async () => {
    const { server, owner, bystander } = await ownedRoom("open", { private: false });
    const bob = await fixture.open({ name: "bob" });
    await joinWith(bob, "open");
    await ackOf(bob, { type: "chat", room: "open", text: "hello", clientMsgId: "b-1" });
    const kick = await ackOf(owner, { type: "moderate", room: "open", clientMsgId: "k-1", action: "kick", user: bob.ready.you.id });
    const left = await leftOf(bob, "open");
    expect(left).toEqual({ type: "left", room: "open", reason: "kicked", by: { id: owner.ready.you.id, name: "olga" } });
    // The event came first, then left; nothing of the room after it.
    const leftAt = bob.frames.indexOf(left);
    expect(bob.frames.findIndex((f) => f.type === "moderation" && f.seq === kick)).toBe(leftAt - 1);
    expect(await answerOf(bob, { type: "chat", room: "open", text: "back?", clientMsgId: "b-2" })).toMatchObject({ code: "not_joined" });
    // Bob is gone from the room at once (his join and leave may fall in one coalesced system frame).
    expect(server.app.hub.active("open")?.knownUser(bob.ready.you.id)).toBeUndefined();
    // A kick is not a ban: resuming works, and brings the kick exactly once.
    const back = await joinWith(bob, "open", { since: kick - 1 });
    expect(back).toMatchObject({ type: "joined", role: "member" });
    if (back.type === "joined") expect(back.messages.map((event) => [event.seq, event.type])).toEqual([[kick, "moderation"]]);
    await expectBystanderUnharmed(bystander);
  });

  it("ban: every connection of the user leaves at once; resuming is banned; a private room's pass is revoked", async () => {
    const { server, owner, key, bystander } = await ownedRoom("closed", { private: true });
    const { code } = await makeInvite(owner, "closed", { clientMsgId: "inv-spam" });
    const spammer = await fixture.open({ name: "spammer" });
    const joined = await joinWith(spammer, "closed", { invite: code });
    const pass = joined.type === "joined" ? (joined.key as string) : "";
    await ackOf(spammer, { type: "chat", room: "closed", text: "spam", clientMsgId: "s-1" });
    const ban = await ackOf(owner, {
      type: "moderate",
      room: "closed",
      clientMsgId: "ban-1",
      action: "ban",
      user: spammer.ready.you.id,
      durationMs: 86_400_000,
    });
    expect(await leftOf(spammer, "closed")).toMatchObject({ reason: "banned", by: { name: "olga" } });
    expect(await joinWith(spammer, "closed", { key: pass, since: ban })).toMatchObject({ type: "error", code: "banned", room: "closed" });
    // Another participant with the spammer's pass: revoked with the ban, so a stranger now.
    const other = await TestClient.open(server.wsUrl, { name: "sock" });
    fixture.track(other);
    expect(await joinWith(other, "closed", { key: pass })).toMatchObject({ type: "error", code: "forbidden" });
    // The owner's pass still works, and the owner can lift the ban.
    await ackOf(owner, { type: "moderate", room: "closed", clientMsgId: "unban-1", action: "unban", user: spammer.ready.you.id });
    expect(await joinWith(spammer, "closed", { key })).toMatchObject({ type: "joined", role: "owner" });
    await expectBystanderUnharmed(bystander);
  });

  it("a client that was offline resumes with since and gets every moderation event exactly once, in order", async () => {
    const { server, owner, bystander } = await ownedRoom("log", { private: false });
    const away = await fixture.open({ name: "away" });
    const first = await joinWith(away, "log");
    const since = first.type === "joined" ? first.latestSeq : 0;
    const session = away.session as string;
    await away.close();
    const bob = await fixture.open({ name: "bob" });
    await joinWith(bob, "log");
    const bobId = bob.ready.you.id;
    const seqs = [
      await ackOf(owner, { type: "moderate", room: "log", clientMsgId: "l-1", action: "mute", user: bobId, durationMs: 60_000 }),
      await ackOf(owner, { type: "moderate", room: "log", clientMsgId: "l-2", action: "role", user: bobId, role: "moderator" }),
      await ackOf(owner, { type: "moderate", room: "log", clientMsgId: "l-3", action: "rename", user: bobId, name: "robert" }),
      await ackOf(owner, { type: "moderate", room: "log", clientMsgId: "l-4", action: "slow-mode", intervalMs: 5_000 }),
    ];
    // The rename and the role show on bob wherever he is listed (his connection renames him as his own rename would).
    await waitUntil(() => server.app.hub.active("log")?.knownUser(bobId)?.name === "robert", { what: "bob renamed in the room" });
    expect(bob.ready.you.name).toBe("bob");
    const again = await TestClient.open(server.wsUrl, { session });
    fixture.track(again);
    const resumed = await joinWith(again, "log", { since });
    if (resumed.type !== "joined") throw new Error(`resume refused: ${JSON.stringify(resumed)}`);
    const events = resumed.messages.filter((event) => event.type === "moderation");
    expect(events.map((event) => event.seq)).toEqual(seqs);
    expect(events.map((event) => event.type === "moderation" && event.action)).toEqual(["mute", "role", "rename", "slow-mode"]);
    expect(resumed.members.find((user) => user.id === bobId)).toEqual({ id: bobId, name: "robert", role: "moderator" });
    expect(resumed.staff.map((member) => [member.name, member.role])).toContainEqual(["bob", "moderator"]);
    // Live after the resume: nothing replayed a second time.
    const next = await ackOf(owner, { type: "moderate", room: "log", clientMsgId: "l-5", action: "lock", locked: true });
    await again.waitFor((f) => f.type === "moderation" && f.seq === next);
    expect(moderationOf(again, "log").map((event) => event.seq)).toEqual([next]);
    expect(again.invalid).toEqual([]);
    await ackOf(owner, { type: "moderate", room: "log", clientMsgId: "l-6", action: "lock", locked: false });
    await expectBystanderUnharmed(bystander);
  });
});
