import type { LogItem, OutboxEntry } from "@chatroom/client";
import type { ChatFrame } from "@chatroom/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { toEmojiData } from "../src/components/emoji/emoji-data";
import { lastEditable } from "../src/components/last-editable";
import { prependedCount } from "../src/components/message-list/first-item-index";
import { listRows } from "../src/components/message-list/list-rows";
import { canEdit } from "../src/components/message-list/message-actions";
import { throttledSubscribe } from "../src/hooks/use-chat";

const chat = (seq: number, from = "u_a", extra: Partial<ChatFrame> = {}): ChatFrame => ({
  type: "chat",
  room: "lobby",
  seq,
  id: `m${seq}`,
  from: { id: from, name: from },
  text: `text ${seq}`,
  ts: 1_000 * seq,
  clientMsgId: `c${seq}`,
  ...extra,
});
const item = (message: ChatFrame): LogItem => ({ type: "chat", key: `s${message.seq}`, message });
const row = (key: string, kind = "chat") => ({ key, kind });
const entry = (fields: Partial<OutboxEntry>): OutboxEntry => ({
  clientMsgId: "x",
  kind: "chat",
  text: "",
  status: "pending",
  createdAt: 0,
  ...fields,
});

describe("prependedCount", () => {
  it("counts the rows that came in above the first message, past a day line that moved up with them", () => {
    const before = [row("d-1", "day"), row("s5"), row("s6")];
    const after = [row("d-1", "day"), row("s1"), row("s2"), row("s3"), row("s4"), row("s5"), row("s6")];
    expect(prependedCount(before, after)).toBe(4);
  });

  it("is 0 when rows only came in below, or the rows were replaced", () => {
    expect(prependedCount([row("s1"), row("s2")], [row("s1"), row("s2"), row("s3")])).toBe(0);
    expect(prependedCount([row("s1")], [row("s9")])).toBe(0);
    expect(prependedCount([], [row("s1")])).toBe(0);
  });
});

describe("listRows", () => {
  const logRows = [{ kind: "chat" as const, key: "s1", message: chat(1), grouped: false }];
  const held = (seq: number) => (seq === 1 ? chat(1) : undefined);

  it("puts unsent chats below the log, and refused changes only when their target is not held", () => {
    const outbox = [
      entry({ clientMsgId: "a", kind: "chat", text: "hi" }),
      entry({ clientMsgId: "b", kind: "edit", target: 1, status: "failed", failureCode: "forbidden" }),
      entry({ clientMsgId: "c", kind: "delete", target: 7, status: "failed", failureCode: "not_found" }),
      entry({ clientMsgId: "d", kind: "react", target: 7, status: "pending", emoji: "👍", on: true }),
      entry({ clientMsgId: "e", kind: "react", target: 7, status: "failed", unanswered: true }),
    ];
    expect(listRows(logRows, outbox, held).map((r) => r.key)).toEqual(["s1", "o-a", "c-c"]);
  });

  it("keeps the log's rows as they are when there is nothing to add", () => {
    expect(listRows(logRows, [], held)).toBe(logRows);
  });
});

describe("editing", () => {
  it("allows one's own chats that are not deleted, within the edit window if there is one", () => {
    expect(canEdit(chat(1, "me"), "me", undefined, 10_000_000)).toBe(true);
    expect(canEdit(chat(1, "me"), "me", 5_000, 5_999)).toBe(true);
    expect(canEdit(chat(1, "me"), "me", 5_000, 6_000)).toBe(false);
    expect(canEdit(chat(1, "you"), "me", undefined, 0)).toBe(false);
    expect(canEdit(chat(1, "me", { deleted: { by: { id: "me", name: "me" }, ts: 2 } }), "me", undefined, 0)).toBe(false);
  });

  it("Up edits the newest of one's own chats still there, and nothing once that one is too old", () => {
    const items = [item(chat(1, "me")), item(chat(2, "me", { deleted: { by: { id: "me", name: "me" }, ts: 3 } })), item(chat(3, "you"))];
    expect(lastEditable(items, "me", undefined, 0)?.seq).toBe(1);
    expect(lastEditable(items, "me", 500, 2_000)).toBeUndefined();
    expect(lastEditable(items, "nobody", undefined, 0)).toBeUndefined();
  });
});

describe("throttledSubscribe", () => {
  afterEach(() => vi.useRealTimers());

  it("passes the first change at once and the rest of a burst together at the interval's end", () => {
    vi.useFakeTimers();
    let clock = 0;
    const listeners = new Set<() => void>();
    const subscribe = throttledSubscribe(
      (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      50,
      () => clock,
    );
    const calls: number[] = [];
    const unsubscribe = subscribe(() => calls.push(clock));
    const change = () => {
      for (const listener of listeners) listener();
    };
    change();
    expect(calls).toEqual([0]);
    clock = 10;
    change();
    clock = 20;
    change();
    expect(calls).toEqual([0]);
    clock = 50;
    vi.advanceTimersByTime(40);
    expect(calls).toEqual([0, 50]);
    unsubscribe();
    change();
    expect(calls).toEqual([0, 50]);
  });
});

describe("toEmojiData", () => {
  it("turns emojibase's compact data into frimousse's, without components and with one-tone skins", () => {
    const tones = ["1F3FB", "1F3FC", "1F3FD", "1F3FE", "1F3FF"];
    const data = toEmojiData(
      "en",
      [
        {
          unicode: "👋",
          label: "waving hand",
          group: 1,
          order: 2,
          tags: ["hi"],
          hexcode: "1F44B",
          skins: tones.map((tone) => ({ unicode: `👋${tone}`, hexcode: `1F44B-${tone}` })),
        },
        { unicode: "😀", label: "grinning face", group: 0, order: 1, hexcode: "1F600" },
        { unicode: "🏻", label: "light skin tone", group: 2, order: 3, hexcode: "1F3FB" },
        { unicode: "🇦", label: "regional indicator A", hexcode: "1F1E6" },
      ],
      {
        groups: [
          { key: "smileys-emotion", message: "smileys & emotion", order: 0 },
          { key: "people-body", message: "people & body", order: 1 },
          { key: "component", message: "components", order: 2 },
        ],
        skinTones: [{ key: "light", message: "light skin tone" }],
      },
    );
    expect(data.categories).toEqual([
      { index: 0, label: "Smileys & emotion" },
      { index: 1, label: "People & body" },
    ]);
    expect(data.emojis.map((emoji) => emoji.emoji)).toEqual(["😀", "👋"]);
    expect(data.emojis[1]?.skins?.dark).toBe("👋1F3FF");
    expect(data.emojis[0]).toMatchObject({ label: "Grinning face", tags: [], version: 0 });
  });
});
