import { describe, expect, it } from "vitest";
import type { ModerationAction } from "../../src/backend/access-moderation";
import type { Actor } from "../../src/backend/access-state";
import type { AccessResult } from "../../src/backend/access-store";
import type { Backend } from "../../src/backend/backend";
import type { AppendResult, ChangeKind } from "../../src/backend/message-store";
import type { BackendHarness } from "./backend-contract";

/** What the access suite needs from the enclosing backend contract (read per test). */
export interface AccessContractContext {
  backend(): Backend;
  harness(): BackendHarness;
  clock: { now(): number; advance(ms: number): void };
}

const owner: Actor = { id: "u_owner", name: "olga" };
const mod: Actor = { id: "u_mod", name: "moe" };
const bob: Actor = { id: "u_bob", name: "bob" };
const eve: Actor = { id: "u_eve", name: "eve", addressHash: "addr-eve" };
const admin: Actor = { id: "u_admin", name: "admin", admin: true };
const user = (actor: Actor) => ({ id: actor.id, name: actor.name });

let sent = 0;
const next = (prefix: string) => `${prefix}-${++sent}`;

function value<T>(result: AccessResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  if (result.duplicate) throw new Error("expected a first answer, got a duplicate");
  return result.value;
}

function seqOf(result: AppendResult): number {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result.ack.seq;
}

/** A room driven through the store API: create, admit, change and moderate as named actors. */
function roomOf(backend: Backend, room: string) {
  const append = (actor: Actor, change: ChangeKind, clientMsgId = next(change.kind)) =>
    backend.messages.append({ room, actor, clientMsgId, ...change });
  return {
    append,
    chat: (actor: Actor, text = "hi") => append(actor, { kind: "chat", text }),
    moderate: (actor: Actor, change: ModerationAction, clientMsgId?: string) => append(actor, { kind: "moderate", ...change }, clientMsgId),
    create: (actor: Actor, options: { private?: boolean; passHash?: string } = {}) =>
      backend.access.createRoom({
        room,
        actor,
        clientMsgId: next("create"),
        private: options.private ?? false,
        passHash: options.passHash ?? `pass-of-${actor.id}`,
      }),
    admit: (actor: Actor, credential?: Parameters<Backend["access"]["admit"]>[0]["credential"]) =>
      backend.access.admit({ room, actor, ...(credential ? { credential } : {}) }),
    invite: (actor: Actor, options: { role?: "member" | "moderator"; maxUses?: number; expiresInMs?: number; codeHash?: string } = {}) =>
      backend.access.createInvite({
        room,
        actor,
        clientMsgId: next("invite"),
        codeHash: options.codeHash ?? next("code"),
        role: options.role ?? "member",
        ...(options.maxUses === undefined ? {} : { maxUses: options.maxUses }),
        ...(options.expiresInMs === undefined ? {} : { expiresInMs: options.expiresInMs }),
      }),
    async events() {
      const latest = await backend.messages.latestSeq(room);
      return (await backend.messages.range(room, { after: 0, upTo: latest, limit: latest + 1 })).messages;
    },
  };
}

/**
 * [4/6] who may enter and who may speak: every rule of the access state and its enforcement in
 * the append's atomic step, registered inside `describeBackendContract` so memory, SQLite and
 * PostgreSQL all run it; on a cluster backend (PostgreSQL + Redis) the races run across two nodes.
 */
export function describeAccessContract(context: AccessContractContext): void {
  /** A room `r` made by olga, with moe as moderator (appointed) and bob a member who has chatted. */
  async function staffedRoom(options: { private?: boolean } = {}) {
    const r = roomOf(context.backend(), "r");
    value(await r.create(owner, options));
    const code = next("code");
    value(await r.invite(owner, { role: "moderator", codeHash: code }));
    value(await r.admit(mod, { kind: "invite", inviteHash: code, newPassHash: "pass-of-moe" }));
    const member = next("code");
    value(await r.invite(owner, { codeHash: member }));
    value(await r.admit(bob, { kind: "invite", inviteHash: member, newPassHash: "pass-of-bob" }));
    return r;
  }

  describe("access: rooms, passes and invites", () => {
    it("create makes the creator owner with the owner pass; a second create, or of a room with events, is room_exists", async () => {
      const r = roomOf(context.backend(), "r");
      const created = await r.create(owner, { private: true });
      // The `create` event opens the log at seq 1, by its creator.
      expect(created).toMatchObject({ ok: true, duplicate: false, ack: { seq: 1 } });
      expect(await r.events()).toMatchObject([{ type: "moderation", seq: 1, action: "create", private: true, by: { id: owner.id } }]);
      expect(await r.create(bob)).toMatchObject({ ok: false, code: "room_exists" });
      expect(value(await r.admit(owner))).toMatchObject({ role: "owner", private: true, locked: false, slowModeMs: 0 });
      // The owner link works for whoever holds it, on any user id.
      const other = { id: "u_other_device", name: "olga" };
      expect(value(await r.admit(other, { kind: "pass", passHash: `pass-of-${owner.id}` })).role).toBe("owner");
      const busy = roomOf(context.backend(), "busy");
      await busy.chat(bob);
      expect(await busy.create(owner)).toMatchObject({ ok: false, code: "room_exists" });
    });

    it("a private room admits members only: forbidden to join or write without an invite", async () => {
      const r = await staffedRoom({ private: true });
      expect(await r.admit(eve)).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.chat(eve)).toMatchObject({ ok: false, code: "forbidden" });
      expect(value(await r.admit(bob)).role).toBe("member");
      expect(seqOf(await r.chat(bob))).toBeGreaterThan(0);
      expect(value(await r.admit(admin)).role).toBe("admin");
    });

    it("an invite is redeemed once per use: used up, expired, revoked and unknown are all invite_invalid", async () => {
      const r = await staffedRoom({ private: true });
      value(await r.invite(owner, { maxUses: 1, codeHash: "once" }));
      expect(value(await r.admit(eve, { kind: "invite", inviteHash: "once", newPassHash: "pass-eve" }))).toMatchObject({
        role: "member",
        passMinted: true,
      });
      const carl = { id: "u_carl", name: "carl" };
      expect(await r.admit(carl, { kind: "invite", inviteHash: "once", newPassHash: "pass-carl" })).toMatchObject({
        ok: false,
        code: "invite_invalid",
      });
      // Eve's other tabs come back with the pass, without redeeming again.
      expect(value(await r.admit(eve, { kind: "pass", passHash: "pass-eve" })).role).toBe("member");
      value(await r.invite(owner, { expiresInMs: 1_000, codeHash: "brief" }));
      context.clock.advance(1_000);
      expect(await r.admit(carl, { kind: "invite", inviteHash: "brief", newPassHash: "p2" })).toMatchObject({ code: "invite_invalid" });
      const invite = value(await r.invite(owner, { codeHash: "revoked" }));
      value(await context.backend().access.revokeInvite({ room: "r", actor: mod, clientMsgId: next("revoke"), invite: invite.id }));
      expect(await r.admit(carl, { kind: "invite", inviteHash: "revoked", newPassHash: "p3" })).toMatchObject({ code: "invite_invalid" });
      expect(await r.admit(carl, { kind: "invite", inviteHash: "never-made", newPassHash: "p4" })).toMatchObject({
        code: "invite_invalid",
      });
      expect(await r.admit(carl)).toMatchObject({ ok: false, code: "forbidden" });
    });

    it("invites are staff's; moderator invites are owners' only", async () => {
      const r = await staffedRoom();
      expect(await r.invite(bob)).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.invite(mod, { role: "moderator" })).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.invite(mod)).toMatchObject({ ok: true });
      expect(await r.invite(admin, { role: "moderator" })).toMatchObject({ ok: true });
    });

    it("a role gained by invite is a role event by the user with via; staff are listed in every admission", async () => {
      const r = await staffedRoom();
      const roles = (await r.events()).filter((event) => event.type === "moderation" && event.action !== "create");
      expect(roles).toEqual([
        expect.objectContaining({
          type: "moderation",
          seq: 2,
          by: user(mod),
          action: "role",
          user: user(mod),
          role: "moderator",
          via: "invite",
        }),
      ]);
      expect(value(await r.admit(bob)).staff).toEqual([
        { ...user(owner), role: "owner" },
        { ...user(mod), role: "moderator" },
      ]);
    });
  });

  describe("access: enforcement in the append", () => {
    it("mute: muted with retryAfterMs until it ends; unmute lifts it; the event is in range, not in chat pages", async () => {
      const r = await staffedRoom();
      const mute = await r.moderate(mod, { action: "mute", user: user(bob), durationMs: 60_000 });
      expect(mute).toMatchObject({
        ok: true,
        event: {
          type: "moderation",
          by: user(mod),
          action: "mute",
          user: user(bob),
          durationMs: 60_000,
          until: context.clock.now() + 60_000,
        },
      });
      expect(await r.chat(bob)).toMatchObject({ ok: false, code: "muted", retryAfterMs: 60_000 });
      expect(value(await r.admit(bob)).mutedUntil).toBe(context.clock.now() + 60_000);
      context.clock.advance(60_000);
      expect(seqOf(await r.chat(bob))).toBeGreaterThan(0);
      value(await context.backend().access.roomAdmin({ room: "r", actor: mod }));
      await r.moderate(mod, { action: "mute", user: user(bob) });
      expect(await r.append(bob, { kind: "react", target: 1, emoji: "👍", on: true })).toMatchObject({ code: "muted" });
      await r.moderate(mod, { action: "unmute", user: user(bob) });
      expect(seqOf(await r.chat(bob))).toBeGreaterThan(0);
      const page = await context.backend().messages.before("r", 1_000, 100);
      expect(page.messages.every((event) => event.type === "chat")).toBe(true);
      expect(
        (await r.events()).filter((event) => event.type === "moderation" && event.action !== "create").map((event) => event.action),
      ).toEqual(["role", "mute", "mute", "unmute"]);
    });

    it("ban: banned from writing and joining, by user and by address; the pass is revoked; unban lifts both", async () => {
      const r = await staffedRoom({ private: true });
      value(await r.invite(owner, { codeHash: "for-eve" }));
      value(await r.admit(eve, { kind: "invite", inviteHash: "for-eve", newPassHash: "pass-eve" }));
      expect(await r.moderate(mod, { action: "ban", user: user(eve), address: true })).toMatchObject({
        ok: true,
        event: { action: "ban", user: user(eve), address: true },
      });
      expect(await r.chat(eve)).toMatchObject({ ok: false, code: "banned" });
      expect(await r.admit(eve, { kind: "pass", passHash: "pass-eve" })).toMatchObject({ ok: false, code: "banned" });
      const sockPuppet = { id: "u_eve2", name: "eve2", addressHash: "addr-eve" };
      expect(await r.admit(sockPuppet)).toMatchObject({ ok: false, code: "banned" });
      const bans = value(await context.backend().access.roomAdmin({ room: "r", actor: owner })).bans;
      expect(bans).toEqual([expect.objectContaining({ user: user(eve), addressHash: "addr-eve", by: user(mod) })]);
      await r.moderate(mod, { action: "unban", user: user(eve) });
      // Unbanned, but the pass she joined with was revoked and the room is private.
      expect(await r.admit(eve, { kind: "pass", passHash: "pass-eve" })).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.admit(sockPuppet)).toMatchObject({ ok: false, code: "forbidden" });
    });

    it("a timed ban ends by itself", async () => {
      const r = await staffedRoom();
      await r.moderate(owner, { action: "ban", user: user(bob), durationMs: 5_000 });
      expect(await r.chat(bob)).toMatchObject({ code: "banned" });
      context.clock.advance(5_000);
      expect(seqOf(await r.chat(bob))).toBeGreaterThan(0);
    });

    it("lock: read-only for everyone but staff", async () => {
      const r = await staffedRoom();
      await r.moderate(mod, { action: "lock", locked: true });
      expect(await r.chat(bob)).toMatchObject({ ok: false, code: "locked" });
      expect(seqOf(await r.chat(mod))).toBeGreaterThan(0);
      expect(value(await r.admit(bob)).locked).toBe(true);
      await r.moderate(mod, { action: "lock", locked: false });
      expect(seqOf(await r.chat(bob))).toBeGreaterThan(0);
    });

    it("slow mode: a member's next chat waits the interval (retryAfterMs); staff are exempt", async () => {
      const r = await staffedRoom();
      await r.moderate(mod, { action: "slow-mode", intervalMs: 30_000 });
      seqOf(await r.chat(bob));
      context.clock.advance(10_000);
      expect(await r.chat(bob)).toMatchObject({ ok: false, code: "slow_mode", retryAfterMs: 20_000 });
      seqOf(await r.chat(mod));
      seqOf(await r.chat(mod));
      context.clock.advance(20_000);
      seqOf(await r.chat(bob));
    });

    it("rank: nobody acts on an equal or higher rank, moderators change no roles, the last owner stays", async () => {
      const r = await staffedRoom();
      expect(await r.moderate(mod, { action: "mute", user: user(owner) })).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.moderate(bob, { action: "mute", user: user(eve) })).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.moderate(mod, { action: "role", user: user(bob), role: "moderator" })).toMatchObject({ code: "forbidden" });
      expect(await r.moderate(admin, { action: "kick", user: user(owner) })).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.moderate(admin, { action: "role", user: user(owner), role: "member" })).toMatchObject({ code: "forbidden" });
      await r.moderate(owner, { action: "role", user: user(bob), role: "owner" });
      // Two owners: neither may act on the other, but admin may take one away.
      expect(await r.moderate(owner, { action: "kick", user: user(bob) })).toMatchObject({ code: "forbidden" });
      expect(await r.moderate(admin, { action: "role", user: user(owner), role: "member" })).toMatchObject({ ok: true });
      expect(await r.moderate(admin, { action: "ban", user: user(bob) })).toMatchObject({ ok: false, code: "forbidden" });
    });

    it("a role change follows the pass the user joined with; a kick revokes it", async () => {
      const r = await staffedRoom({ private: true });
      await r.moderate(owner, { action: "role", user: user(bob), role: "moderator" });
      const bobElsewhere = { id: "u_bob_tab2", name: "bob" };
      expect(value(await r.admit(bobElsewhere, { kind: "pass", passHash: "pass-of-bob" })).role).toBe("moderator");
      await r.moderate(owner, { action: "kick", user: user(bob) });
      expect(await r.chat(bob)).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.admit(bob, { kind: "pass", passHash: "pass-of-bob" })).toMatchObject({ ok: false, code: "forbidden" });
    });

    it("staff delete any message but a higher rank's; members only their own", async () => {
      const r = await staffedRoom();
      const bobs = seqOf(await r.chat(bob));
      const owners = seqOf(await r.chat(owner));
      const mods = seqOf(await r.chat(mod));
      expect(await r.append(bob, { kind: "delete", target: mods })).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.append(mod, { kind: "delete", target: owners })).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.append(mod, { kind: "edit", target: bobs, text: "x" })).toMatchObject({ ok: false, code: "forbidden" });
      expect(await r.append(mod, { kind: "delete", target: bobs })).toMatchObject({ ok: true, event: { type: "delete", by: user(mod) } });
      expect(await r.append(owner, { kind: "delete", target: mods })).toMatchObject({ ok: true });
      expect(await r.append(admin, { kind: "delete", target: owners })).toMatchObject({ ok: true });
    });

    it("a moderation resend gets its original answer and changes nothing twice", async () => {
      const r = await staffedRoom();
      const first = await r.moderate(mod, { action: "mute", user: user(bob), durationMs: 1_000 }, "same");
      context.clock.advance(500);
      const again = await r.moderate(mod, { action: "mute", user: user(bob), durationMs: 1_000 }, "same");
      expect(again).toMatchObject({ ok: true, duplicate: true, ack: first.ok ? first.ack : {} });
      if (again.ok) expect(again.event).toEqual(first.ok ? first.event : null);
      expect((await r.events()).filter((event) => event.type === "moderation" && event.action !== "create")).toHaveLength(2);
    });

    it("reports are staff-only state, not room events", async () => {
      const r = await staffedRoom();
      const target = seqOf(await r.chat(owner));
      const report = value(
        await context.backend().access.report({ room: "r", actor: bob, clientMsgId: next("report"), target, reason: "spam" }),
      );
      expect(report).toMatchObject({ target, reason: "spam", by: user(bob) });
      expect(await context.backend().access.roomAdmin({ room: "r", actor: bob })).toMatchObject({ ok: false, code: "forbidden" });
      expect(value(await context.backend().access.roomAdmin({ room: "r", actor: mod })).reports).toEqual([report]);
      value(await context.backend().access.resolveReport({ room: "r", actor: mod, clientMsgId: next("resolve"), report: report.id }));
      expect(value(await context.backend().access.roomAdmin({ room: "r", actor: mod })).reports).toEqual([]);
      expect((await r.events()).some((event) => JSON.stringify(event).includes("spam"))).toBe(false);
    });
  });

  describe("access: races", () => {
    /** The same backend twice, or two nodes of a cluster backend (each with its own snapshot cache). */
    async function twoNodes(): Promise<{ nodes: [Backend, Backend]; close: () => Promise<void> }> {
      const peer = await context.harness().openPeer?.();
      const backend = context.backend();
      return { nodes: [backend, peer ?? backend], close: async () => peer?.close() };
    }

    it("a banned user's message never gets a seq after the ban, whichever node appends it", async () => {
      const r = await staffedRoom();
      const { nodes, close } = await twoNodes();
      try {
        // Both nodes have read the room's state before the ban (each node's own view of it).
        for (const node of nodes) seqOf(await roomOf(node, "r").chat(bob, "warm"));
        const spam = Array.from({ length: 40 }, (_, i) => roomOf(nodes[i % 2] as Backend, "r").chat(bob, `spam ${i}`));
        const ban = roomOf(nodes[1], "r").moderate(owner, { action: "ban", user: user(bob) });
        const results = await Promise.all([...spam, ban]);
        for (const result of results.slice(0, -1)) expect(result.ok || (!result.ok && result.code === "banned")).toBe(true);
        const events = await r.events();
        const banSeq = events.find((event) => event.type === "moderation" && event.action === "ban")?.seq ?? 0;
        expect(banSeq).toBeGreaterThan(0);
        const late = events.filter((event) => event.type === "chat" && event.from.id === bob.id && event.seq > banSeq);
        expect(late).toEqual([]);
        expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
      } finally {
        await close();
      }
    });

    it("invite redemption racing its use limit admits exactly maxUses", async () => {
      const r = await staffedRoom({ private: true });
      value(await r.invite(owner, { maxUses: 3, codeHash: "three" }));
      const { nodes, close } = await twoNodes();
      try {
        const attempts = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            roomOf(nodes[i % 2] as Backend, "r").admit(
              { id: `u_guest${i}`, name: `guest${i}` },
              { kind: "invite", inviteHash: "three", newPassHash: `pass-guest${i}` },
            ),
          ),
        );
        expect(attempts.filter((result) => result.ok)).toHaveLength(3);
        expect(attempts.filter((result) => !result.ok && result.code === "invite_invalid")).toHaveLength(9);
        const invites = value(await context.backend().access.roomAdmin({ room: "r", actor: owner })).invites;
        expect(invites.find((invite) => invite.codeHash === "three")).toMatchObject({ uses: 3, maxUses: 3 });
      } finally {
        await close();
      }
    });
  });
}
