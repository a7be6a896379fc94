import type { LogItem } from "@chatroom/client";
import type { ChatFrame, User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { mentionCandidates, mentionTrigger } from "../src/components/mentions/mention-candidates";

const user = (name: string): User => ({ id: `u-${name}`, name });
const said = (seq: number, from: User): LogItem => ({
  type: "chat",
  key: `m${seq}`,
  message: { type: "chat", room: "lobby", seq, id: `m${seq}`, from, text: "hi", ts: seq, clientMsgId: `c${seq}` } as ChatFrame,
});
const [alice, bob, anna, andy, carol] = ["alice", "bob", "anna", "andy", "carol"].map(user) as [User, User, User, User, User];

describe("mentionTrigger: the @query at the caret", () => {
  it("finds an @ at the start, after a space or a Chinese letter, and not in an address or across a line", () => {
    expect(mentionTrigger("@an", 3)).toEqual({ start: 0, query: "an" });
    expect(mentionTrigger("hi @ann lee", 11)).toEqual({ start: 3, query: "ann lee" });
    expect(mentionTrigger("请@小", 3)).toEqual({ start: 1, query: "小" });
    expect(mentionTrigger("mail ann@ex", 11)).toBeNull();
    expect(mentionTrigger("@ann\nlee", 8)).toBeNull();
    expect(mentionTrigger("@ x", 3)).toBeNull();
    expect(mentionTrigger(`@${"a".repeat(40)}`, 41)).toBeNull();
  });
});

describe("mentionCandidates: present members first, then recent authors", () => {
  const items = [said(1, carol), said(2, andy), said(3, bob), said(4, alice)];
  const pick = (query: string, roomAllowed = true) =>
    mentionCandidates({ members: [alice, bob, anna], items, myId: alice.id, query, roomAllowed, max: 8 }).map(
      (candidate) => `${candidate.name}${candidate.present ? "*" : ""}`,
    );

  it("lists present members (not me), then authors newest first, then @room", () => {
    expect(pick("")).toEqual(["bob*", "anna*", "andy", "carol", "room"]);
  });

  it("filters as the user types, prefix matches before inner ones, case-insensitive", () => {
    expect(pick("AN")).toEqual(["anna*", "andy"]);
    expect(pick("o")).toEqual(["bob*", "carol", "room"]);
    expect(pick("r", false)).toEqual(["carol"]);
  });
});
