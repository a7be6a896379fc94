import type { ChangeEvent, ChatFrame, PageEvent, User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { memoryStore } from "../src/persistence/storage";
import { setup } from "./support/client-setup";
import { alice, bob, carol, chat, chats, joined, ready } from "./support/fakes";

const TS = 1_700_000_000_000;
const edit = (seq: number, target: number, text: string, by: User = bob, clientMsgId = `e${seq}`): ChangeEvent => ({
  type: "edit",
  room: "lobby",
  seq,
  ts: TS + seq,
  target,
  text,
  by,
  clientMsgId,
});
const remove = (seq: number, target: number, by: User = bob, clientMsgId = `d${seq}`): ChangeEvent => ({
  type: "delete",
  room: "lobby",
  seq,
  ts: TS + seq,
  target,
  by,
  clientMsgId,
});
const react = (seq: number, target: number, emoji: string, on: boolean, by: User = carol, clientMsgId = `r${seq}`): ChangeEvent => ({
  type: "reaction",
  room: "lobby",
  seq,
  ts: TS + seq,
  target,
  emoji,
  on,
  by,
  clientMsgId,
});
const ack = (clientMsgId: string, seq: number) => ({ type: "ack" as const, room: "lobby", clientMsgId, seq, ts: TS });
/** A `joined` whose messages are any page events (a resume's). */
const resumed = (messages: PageEvent[], latestSeq: number, complete = true) => ({ ...joined({ latestSeq, complete }), messages });

describe("ChatClient: edits, deletes and reactions as they happen", () => {
  it("applies live changes to the chats held; they are no news of their own", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 3) }));
    socket.receive(edit(4, 2, "fixed"));
    socket.receive(react(5, 3, "👍", true));
    socket.receive(remove(6, 1));
    const [first, second, third] = t.snap().items.flatMap((item) => (item.type === "chat" ? [item.message] : []));
    expect(first).toMatchObject({ seq: 1, deleted: { by: bob, ts: TS + 6 }, rev: 6 });
    expect(first).not.toHaveProperty("text");
    expect(second).toMatchObject({ seq: 2, text: "fixed", edited: { ts: TS + 4 }, rev: 4 });
    expect(third).toMatchObject({ seq: 3, reactions: [{ emoji: "👍", count: 1, users: [carol.id] }], rev: 5 });
    expect(t.snap().incomingCount).toBe(0);
    expect(t.snap().lastIncoming).toBeNull();
    // The position passed them: nothing is missing, and a resume starts after them.
    expect(socket.sentOf("history")).toEqual([]);
    socket.drop(1006);
    expect(t.connect(joined({ latestSeq: 6 })).joinOf()?.since).toBe(6);
  });

  it("unread counts chats from others, not deleted ones, and never changes", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ messages: chats(1, 2), readSeq: 2 }), ready({ rooms: [] }));
    socket.receive(chat(3));
    socket.receive(chat(4));
    socket.receive(react(5, 3, "👍", true));
    socket.receive(edit(6, 4, "fixed"));
    expect(t.snap().rooms[0]?.unread).toBe(2);
    socket.receive(remove(7, 4));
    expect(t.snap().rooms[0]?.unread).toBe(1);
  });

  it("a page of chats as they stand leaves out the seqs of changes, yet nothing is missing there", () => {
    const t = setup();
    // Seqs 2, 4 and 6 are changes, reflected in the chats' state.
    const socket = t.connect(
      joined({ messages: [{ ...chat(1), rev: 4, edited: { ts: TS + 4 }, text: "fixed" }, { ...chat(3), rev: 6 }, chat(5)], latestSeq: 6 }),
    );
    socket.receive(chat(7));
    expect(socket.sentOf("history")).toEqual([]);
    expect(t.chatSeqs()).toEqual([1, 3, 5, 7]);
    socket.receive(chat(9));
    expect(socket.sentOf("history")).toEqual([{ type: "history", room: "lobby", after: 7, limit: 1 }]);
  });

  it("a resume brings every change since, exactly once, to chats held from before", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 3) }));
    first.drop(1006);
    const second = t.connect(resumed([edit(4, 1, "fixed"), react(5, 2, "🎉", true), react(6, 2, "🎉", false), remove(7, 3)], 7));
    expect(second.joinOf()?.since).toBe(3);
    const messages = t.snap().items.flatMap((item) => (item.type === "chat" ? [item.message] : []));
    expect(messages.map((message) => [message.seq, message.text ?? null, message.rev, message.reactions ?? null])).toEqual([
      [1, "fixed", 4, null],
      [2, "message 2", 6, null],
      [3, null, 7, null],
    ]);
    // The live stream may repeat what the resume carried: applied once.
    second.receive(react(5, 2, "🎉", true));
    expect(t.snap().items.find((item) => item.type === "chat" && item.message.seq === 2)).toMatchObject({ message: { rev: 6 } });
  });

  it("a change above a gap waits for the gap: an incomplete resume's reaction does not hide an older edit", () => {
    const t = setup();
    const first = t.connect(joined({ messages: [chat(1)] }));
    first.drop(1006);
    // Seq 2 (an edit of 1) did not fit in the resume; seq 3 (a reaction to 1) did.
    const second = t.connect(resumed([react(3, 1, "👍", true)], 3, false));
    expect(second.sentOf("history")).toEqual([{ type: "history", room: "lobby", after: 1, limit: 1 }]);
    expect(t.snap().items[0]).toMatchObject({ message: { text: "message 1" } });
    second.receive({ type: "history", room: "lobby", messages: [edit(2, 1, "fixed")], hasNewer: true });
    expect(t.snap().items[0]).toMatchObject({ message: { text: "fixed", rev: 3, reactions: [{ emoji: "👍", count: 1 }] } });
  });

  it("an edit in a page whose target was deleted since comes without text; the delete after it finishes the job", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 2) }));
    first.drop(1006);
    const { text: _text, ...editWithoutText } = edit(3, 1, "secret") as Extract<ChangeEvent, { type: "edit" }>;
    t.connect(resumed([editWithoutText, remove(4, 1)], 4));
    const [message] = t.snap().items.flatMap((item) => (item.type === "chat" ? [item.message] : []));
    expect(message).toMatchObject({ seq: 1, deleted: { by: bob }, rev: 4 });
    expect(JSON.stringify(t.snap().items)).not.toContain("secret");
  });

  it("replies quote their target as it stands now, whether or not the target is held", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: [chat(5)], latestSeq: 5, complete: false }));
    const reply = (seq: number, target: number, text: string): ChatFrame => ({
      ...chat(seq, carol),
      replyTo: { seq: target, from: bob, text },
    });
    socket.receive(reply(6, 5, "message 5"));
    socket.receive(reply(7, 2, "an old one"));
    socket.receive(edit(8, 5, "fixed 5"));
    socket.receive(edit(9, 2, "fixed 2"));
    socket.receive(remove(10, 2));
    const quotes = t.snap().items.flatMap((item) => (item.type === "chat" && item.message.replyTo ? [item.message.replyTo] : []));
    expect(quotes).toEqual([
      { seq: 5, from: bob, text: "fixed 5" },
      { seq: 2, deleted: true },
    ]);
  });
});

describe("ChatClient: the tab's own edits, deletes, reactions and replies", () => {
  it("each command goes out through the outbox and shows as pending with what it changes", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ messages: [chat(1, alice, "mine"), chat(2)] }));
    expect(t.client.send("agreed", { replyTo: 2 })).toBe(true);
    expect(t.client.edit(1, "  mine, fixed ")).toBe(true);
    expect(t.client.react(2, "❤", true)).toBe(true);
    expect(t.client.remove(1)).toBe(true);
    expect(t.client.edit(1, "   ")).toBe(false);
    expect(t.client.react(2, "not an emoji", true)).toBe(false);
    expect(t.client.remove(0)).toBe(false);
    const sent = socket.sent.flatMap((frame) => {
      if (frame.type !== "chat" && frame.type !== "edit" && frame.type !== "react" && frame.type !== "delete") return [];
      const { clientMsgId: _id, ...rest } = frame;
      return [rest];
    });
    expect(sent).toEqual([
      { type: "chat", room: "lobby", text: "agreed", replyTo: 2 },
      { type: "edit", room: "lobby", target: 1, text: "mine, fixed" },
      // The emoji goes out in its RGI form, as the server keeps it.
      { type: "react", room: "lobby", target: 2, emoji: "❤️", on: true },
      { type: "delete", room: "lobby", target: 1 },
    ]);
    const shown = t
      .snap()
      .outbox.map(({ kind, text, target, emoji, on, replyTo, status }) => ({ kind, text, target, emoji, on, replyTo, status }));
    expect(shown).toEqual([
      { kind: "chat", text: "agreed", target: undefined, emoji: undefined, on: undefined, replyTo: 2, status: "pending" },
      { kind: "edit", text: "mine, fixed", target: 1, emoji: undefined, on: undefined, replyTo: undefined, status: "pending" },
      { kind: "react", text: "", target: 2, emoji: "❤️", on: true, replyTo: undefined, status: "pending" },
      { kind: "delete", text: "", target: 1, emoji: undefined, on: undefined, replyTo: undefined, status: "pending" },
    ]);
  });

  it("an acked change settles once the log covers its seq; its echo settles it at once", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ messages: [chat(1, alice, "mine")] }));
    t.client.edit(1, "fixed");
    t.client.react(1, "👍", true);
    const editing = socket.sentOf("edit")[0]?.clientMsgId ?? "";
    const reacting = socket.sentOf("react")[0]?.clientMsgId ?? "";
    // Acked as 3 while the log has reached 1: sent, until 3 is in.
    socket.receive(ack(editing, 3));
    expect(t.snap().outbox.map((entry) => entry.status)).toEqual(["sent", "pending"]);
    socket.receive(chat(2));
    expect(t.snap().outbox.map((entry) => entry.status)).toEqual(["sent", "pending"]);
    socket.receive(edit(3, 1, "fixed", alice, "someone-else's-id"));
    expect(t.snap().outbox.map((entry) => entry.kind)).toEqual(["react"]);
    // Already on: the server stores nothing and acks with the seq it had reached, which the log covers.
    socket.receive(ack(reacting, 3));
    expect(t.snap().outbox).toEqual([]);
    expect(t.snap().items[0]).toMatchObject({ message: { text: "fixed", rev: 3 } });
  });

  it("its own echo settles an entry even before the ack", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ messages: [chat(1, alice, "mine")] }));
    t.client.remove(1);
    const deleting = socket.sentOf("delete")[0]?.clientMsgId ?? "";
    socket.receive(remove(2, 1, alice, deleting));
    expect(t.snap().outbox).toEqual([]);
    socket.receive(ack(deleting, 2));
    expect(t.snap().outbox).toEqual([]);
  });
  it("a change made offline goes out after the reconnect with the same id, and survives a reload meanwhile", () => {
    const tab = memoryStore();
    const browser = memoryStore();
    const t = setup({ tab, browser, name: "alice" });
    const first = t.connect(joined({ messages: [chat(1, alice, "mine")] }));
    t.client.edit(1, "fixed");
    const id = first.sentOf("edit")[0]?.clientMsgId;
    first.drop(1006);
    t.client.remove(1);
    t.client.flushStorage();
    t.client.stop();

    const reloaded = setup({ tab, browser, name: "alice" });
    expect(reloaded.snap().outbox).toMatchObject([
      { kind: "edit", target: 1, text: "fixed", status: "pending" },
      { kind: "delete", target: 1, status: "pending" },
    ]);
    const socket = reloaded.connect(joined({ latestSeq: 1 }));
    expect(socket.sentOf("edit")).toEqual([{ type: "edit", room: "lobby", target: 1, text: "fixed", clientMsgId: id }]);
    expect(socket.sentOf("delete")).toHaveLength(1);
  });

  it("not_found, forbidden and gone are refusals the user sees and can discard", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ messages: chats(1, 2) }));
    t.client.edit(2, "not mine");
    t.client.react(9, "👍", true);
    t.client.remove(1);
    const refuse = (clientMsgId: string | undefined, code: "not_found" | "forbidden" | "gone") =>
      socket.receive({ type: "error", code, message: code, room: "lobby", clientMsgId: clientMsgId ?? "" });
    refuse(socket.sentOf("edit")[0]?.clientMsgId, "forbidden");
    refuse(socket.sentOf("react")[0]?.clientMsgId, "not_found");
    refuse(socket.sentOf("delete")[0]?.clientMsgId, "gone");
    expect(t.snap().outbox.map((entry) => [entry.kind, entry.status, entry.failureCode])).toEqual([
      ["edit", "failed", "forbidden"],
      ["react", "failed", "not_found"],
      ["delete", "failed", "gone"],
    ]);
    // Refusals are the entries' business, not an alert; and nothing is resent by itself.
    expect(t.snap().alert).toBeNull();
    for (const entry of t.snap().outbox) t.client.discard(entry.clientMsgId);
    expect(t.snap().outbox).toEqual([]);
  });
});

describe("ChatClient: reveal", () => {
  it("pages back until the chat is held, and resolves true", async () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(101, 110), latestSeq: 110, complete: false }));
    const revealed = t.client.reveal(20);
    expect(t.snap().loadingOlder).toBe(true);
    expect(socket.sentOf("history")).toEqual([{ type: "history", room: "lobby", before: 101, limit: 50 }]);
    socket.receive({ type: "history", room: "lobby", messages: chats(51, 100), hasOlder: true });
    expect(socket.sentOf("history")[1]).toEqual({ type: "history", room: "lobby", before: 51, limit: 50 });
    socket.receive({ type: "history", room: "lobby", messages: chats(1, 50), hasOlder: false });
    await expect(revealed).resolves.toBe(true);
    expect(socket.sentOf("history")).toHaveLength(2);
  });

  it("resolves at once for a chat held, and false for what is no chat or not there", async () => {
    const t = setup();
    const socket = t.connect(joined({ messages: [chat(1), chat(3)], latestSeq: 4 }));
    await expect(t.client.reveal(3)).resolves.toBe(true);
    // Seqs 2 and 4 are changes; 9 is beyond the room's newest.
    await expect(t.client.reveal(2)).resolves.toBe(false);
    await expect(t.client.reveal(4)).resolves.toBe(false);
    await expect(t.client.reveal(9)).resolves.toBe(false);
    expect(socket.sentOf("history")).toEqual([]);
  });

  it("resolves false when the room goes before the chat came", async () => {
    const t = setup();
    t.connect(joined({ messages: chats(10, 12), latestSeq: 12, complete: false }));
    const revealed = t.client.reveal(4);
    t.client.openRoom("elsewhere");
    t.client.leaveRoom("lobby");
    t.sockets.last.receive({ type: "left", room: "lobby" });
    await expect(revealed).resolves.toBe(false);
  });

  it("resolves false when paging reaches the start without it", async () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(10, 12), latestSeq: 12, complete: false }));
    const revealed = t.client.reveal(4);
    // The server trimmed its oldest history: nothing older than 8.
    socket.receive({ type: "history", room: "lobby", messages: chats(8, 9), hasOlder: false });
    await expect(revealed).resolves.toBe(false);
  });
});

describe("ChatClient: resuming after changes", () => {
  it("resumes from the seq of a change, and checks continuity at the newest chat below it", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 3) }));
    first.receive(react(4, 3, "👍", true));
    first.receive(edit(5, 2, "fixed"));
    first.drop(1006);
    const second = t.connectHeld(joined({ latestSeq: 7, messages: [] }));
    expect(second.joinOf()?.since).toBe(5);
    expect(second.sentOf("history")).toEqual([{ type: "history", room: "lobby", before: 4, limit: 1 }]);
    second.receive({ type: "history", room: "lobby", messages: [{ ...chat(3), rev: 4 }], hasOlder: true });
    expect(t.chatSeqs()).toEqual([1, 2, 3]);
  });
});
