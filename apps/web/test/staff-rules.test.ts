import { INITIAL_ACCESS, type RoomAccess } from "@chatroom/client";
import type { ModerationEvent, User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { memberActions, requestFor } from "../src/components/staff/member-actions";
import { moderationText } from "../src/components/staff/moderation-text";
import { badgeRole, canDeleteAsStaff, composerBlock } from "../src/components/staff/staff-actions";
import { EN } from "../src/i18n/en";
import { MODERATION_LINES_EN } from "../src/i18n/moderation-lines-en";
import { MODERATION_LINES_ZH_CN } from "../src/i18n/moderation-lines-zh-cn";
import { ZH_CN } from "../src/i18n/zh-cn";

const alice: User = { id: "u_a", name: "alice" };
const bob: User = { id: "u_b", name: "bob" };
const carol: User = { id: "u_c", name: "carol" };

function access(
  role: RoomAccess["role"],
  staff: [string, "moderator" | "owner" | "admin"][] = [],
  extra: Partial<RoomAccess> = {},
): RoomAccess {
  return { ...INITIAL_ACCESS, role, staff: new Map(staff), ...extra };
}

function event(fields: Record<string, unknown>): ModerationEvent {
  return { type: "moderation", room: "lobby", seq: 9, ts: 0, by: alice, clientMsgId: "m", ...fields } as unknown as ModerationEvent;
}

describe("moderation lines", () => {
  it("word each action in English", () => {
    expect(moderationText(event({ action: "mute", user: bob, durationMs: 600_000, until: 1 }), EN, MODERATION_LINES_EN)).toBe(
      "bob was muted for 10 minutes by alice",
    );
    expect(moderationText(event({ action: "mute", user: bob }), EN, MODERATION_LINES_EN)).toBe("bob was muted by alice");
    expect(moderationText(event({ action: "ban", user: bob, durationMs: 86_400_000 }), EN, MODERATION_LINES_EN)).toBe(
      "bob was banned for 24 hours by alice",
    );
    expect(moderationText(event({ action: "ban", user: bob, durationMs: 3 * 86_400_000 }), EN, MODERATION_LINES_EN)).toBe(
      "bob was banned for 3 days by alice",
    );
    expect(moderationText(event({ action: "kick", user: bob }), EN, MODERATION_LINES_EN)).toBe("bob was removed from the room by alice");
    expect(moderationText(event({ action: "slow-mode", intervalMs: 30_000 }), EN, MODERATION_LINES_EN)).toBe(
      "alice turned on slow mode: one message every 30 s",
    );
    expect(moderationText(event({ action: "slow-mode", intervalMs: 0 }), EN, MODERATION_LINES_EN)).toBe("alice turned off slow mode");
    expect(moderationText(event({ action: "lock", locked: true }), EN, MODERATION_LINES_EN)).toBe("alice locked the room");
    expect(moderationText(event({ action: "role", user: bob, role: "moderator" }), EN, MODERATION_LINES_EN)).toBe(
      "bob is now moderator (by alice)",
    );
    expect(moderationText(event({ action: "role", user: bob, by: bob, role: "member", via: "invite" }), EN, MODERATION_LINES_EN)).toBe(
      "bob joined as member",
    );
    expect(moderationText(event({ action: "rename", user: bob, name: "bobby", previousName: "bob" }), EN, MODERATION_LINES_EN)).toBe(
      "alice renamed bob to bobby",
    );
    expect(moderationText(event({ action: "create", private: true }), EN, MODERATION_LINES_EN)).toBe("alice created this private room");
  });

  it("word them in Chinese too", () => {
    expect(moderationText(event({ action: "mute", user: bob, durationMs: 600_000 }), ZH_CN, MODERATION_LINES_ZH_CN)).toBe(
      "bob 被 alice 禁言 10 分钟",
    );
    expect(moderationText(event({ action: "unban", user: bob }), ZH_CN, MODERATION_LINES_ZH_CN)).toBe("bob 被 alice 解除封禁");
  });
});

describe("member menu by rank", () => {
  it("offers nothing to members, to ourselves, or on an equal or higher rank", () => {
    expect(memberActions(access("member"), alice, bob)).toEqual([]);
    expect(memberActions(access("owner"), alice, alice)).toEqual([]);
    expect(memberActions(access("moderator", [[bob.id, "moderator"]]), alice, bob)).toEqual([]);
    expect(memberActions(access("moderator", [[bob.id, "owner"]]), alice, bob)).toEqual([]);
  });

  it("gives moderators mutes, kick, ban and rename, but no roles", () => {
    const kinds = memberActions(access("moderator"), alice, bob).map((action) => action.kind);
    expect(kinds).toEqual(["mute", "mute", "mute", "mute", "unmute", "kick", "ban", "rename"]);
  });

  it("gives owners the roles up to owner, leaving out the target's own", () => {
    const roles = memberActions(access("owner", [[bob.id, "moderator"]]), alice, bob).flatMap((action) =>
      action.kind === "role" ? [action.role] : [],
    );
    expect(roles).toEqual(["member", "owner"]);
    // A user object's own role counts where the staff map does not list them.
    expect(memberActions(access("owner"), alice, { ...carol, role: "owner" })).toEqual([]);
  });

  it("turns a choice into the moderate request", () => {
    expect(requestFor({ kind: "mute", durationMs: 600_000 }, bob.id)).toEqual({ action: "mute", user: bob.id, durationMs: 600_000 });
    expect(requestFor({ kind: "mute", durationMs: null }, bob.id)).toEqual({ action: "mute", user: bob.id });
    expect(requestFor({ kind: "role", role: "moderator" }, bob.id)).toEqual({ action: "role", user: bob.id, role: "moderator" });
  });

  it("lets staff delete messages of lower ranks only, and badges staff", () => {
    expect(canDeleteAsStaff(access("moderator"), bob, alice.id)).toBe(true);
    expect(canDeleteAsStaff(access("moderator", [[bob.id, "owner"]]), bob, alice.id)).toBe(false);
    expect(canDeleteAsStaff(access("member"), bob, alice.id)).toBe(false);
    expect(badgeRole(access("member", [[bob.id, "owner"]]), bob)).toBe("owner");
    expect(badgeRole(access("member"), bob)).toBeNull();
  });
});

describe("composer block", () => {
  it("says why the composer is closed: locked, muted, slow mode's wait", () => {
    expect(composerBlock(access("member", [], { locked: true }), 0)).toEqual({ kind: "locked" });
    expect(composerBlock(access("moderator", [], { locked: true }), 0)).toBeNull();
    expect(composerBlock(access("member", [], { mutedUntil: null }), 0)).toEqual({ kind: "muted", until: null });
    expect(composerBlock(access("member", [], { mutedUntil: 100 }), 50)).toEqual({ kind: "muted", until: 100 });
    expect(composerBlock(access("member", [], { mutedUntil: 100 }), 100)).toBeNull();
    expect(composerBlock(access("member", [], { slowModeMs: 30_000, lastOwnChatAt: 1_000 }), 11_000)).toEqual({
      kind: "slow",
      remainingMs: 20_000,
    });
    expect(composerBlock(access("owner", [], { slowModeMs: 30_000, lastOwnChatAt: 1_000 }), 11_000)).toBeNull();
  });
});
