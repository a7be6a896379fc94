import { describe, expect, it } from "vitest";
import { Roster } from "../../src/chat/room/roster";
import { nameKeys, skeleton } from "../../src/security/name-key";
import { FakeClock } from "../support/fake-clock";
import { RecordingSeat } from "./support/recording-seat";

describe("skeleton (TS #39 §4, from Unicode's confusables.txt)", () => {
  it.each([
    ["аlice (Cyrillic а)", "аlice", "alice"],
    ["rn and m", "m", "rn"],
    ["𝔭𝒶ỿ𝕡𝕒ℓ", "𝔭𝒶ỿ𝕡𝕒ℓ", "paypal"],
    ["a digit one for an l", "a1ice", "alice"],
  ])("maps %s onto one skeleton", (_label, text, expected) => {
    expect(skeleton(text)).toBe(skeleton(expected));
  });

  it("is NFD on both sides and drops default-ignorable characters", () => {
    expect(skeleton("é")).toBe(skeleton("e\u0301"));
    expect(skeleton("al\u00adice")).toBe(skeleton("alice"));
  });

  it("keeps different names apart", () => {
    expect(skeleton("alice")).not.toBe(skeleton("alicia"));
    expect(skeleton("王小明")).not.toBe(skeleton("王小"));
  });
});

/** Two names clash when they share a key. */
const clash = (one: string, other: string) => nameKeys(one).some((key) => nameKeys(other).includes(key));

describe("nameKeys", () => {
  it.each([
    ["alice", "аlice"],
    ["Alice", "ALICE"],
    ["alice", "aIice"],
    ["alice", "AIice"],
    ["bob", "B0B"],
    ["coco", "сосо"],
    ["m", "rn"],
  ])("%j and %j clash", (one, other) => {
    expect(clash(one, other)).toBe(true);
    expect(clash(other, one)).toBe(true);
  });

  it.each([
    ["alice", "alicia"],
    ["bob", "rob"],
    ["王小明", "王小"],
  ])("%j and %j do not", (one, other) => {
    expect(clash(one, other)).toBe(false);
  });

  it("gives the room roster's second look-alike the suffix", () => {
    const clock = new FakeClock();
    const roster = new Roster({
      limits: { presenceGraceMs: 1_000, maxNameLength: 32 },
      timers: clock,
      onChange: () => {},
      onLeft: () => {},
    });
    roster.seat(new RecordingSeat("u1"), "alice");
    expect(roster.seat(new RecordingSeat("u2"), "аlice").user.name).toBe("аlice (2)");
    expect(roster.holderOf("ALICE")).toBe("u1");
    expect(roster.uniqueName("a1ice", "u3")).toBe("a1ice (3)");
    expect(roster.uniqueName("aIice", "u3")).toBe("aIice (3)");
    // A user's own look-alikes are theirs: a rename from alice to aIice is no clash.
    expect(roster.uniqueName("aIice", "u1")).toBe("aIice");
  });
});
