import type { ChatFrame, User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { resolveMentions } from "../../src/chat/room/mention-resolver";
import { RecentAuthors } from "../../src/chat/room/recent-authors";

const ann: User = { id: "u_ann", name: "Ann" };
const annLee: User = { id: "u_annlee", name: "ann lee" };
const bob: User = { id: "u_bob", name: "bob" };

describe("resolveMentions", () => {
  it("names users in first-appearance order, each once, the longest name first", () => {
    const found = resolveMentions("@bob @ann lee and @ANN, again @bob", [ann, annLee, bob], 50);
    expect(found).toEqual({ users: [bob, annLee, ann], room: false });
  });

  it("lets the first user of a folded name win: a present member over an absent author", () => {
    const absentAnn: User = { id: "u_other_ann", name: "ann" };
    expect(resolveMentions("@ann", [ann, absentAnn], 50).users).toEqual([ann]);
    expect(resolveMentions("@ann", [absentAnn, ann], 50).users).toEqual([absentAnn]);
  });

  it("finds @room unless someone in the directory is named room, and stops at the most users", () => {
    expect(resolveMentions("@room hi", [bob], 50)).toEqual({ users: [], room: true });
    const roomUser: User = { id: "u_room", name: "Room" };
    expect(resolveMentions("@room hi", [roomUser], 50)).toEqual({ users: [roomUser], room: false });
    const many = Array.from({ length: 5 }, (_, i) => ({ id: `u_${i}`, name: `user${i}` }));
    expect(resolveMentions(many.map((user) => `@${user.name}`).join(" "), many, 3).users).toEqual(many.slice(0, 3));
  });

  it("a text of many @s against a big directory finds just what follows an @", () => {
    const crowd = Array.from({ length: 1_500 }, (_, i) => ({ id: `u_${i}`, name: `member ${i}` }));
    expect(resolveMentions(`${"@".repeat(1_990)}bob @member 7`, [...crowd, bob], 50).users).toEqual([bob, crowd[7]]);
  });

  it("mentions nobody without an @, in an address, or for a name not in the directory", () => {
    expect(resolveMentions("bob", [bob], 50)).toEqual({ users: [], room: false });
    expect(resolveMentions("mail bob@example.com", [bob], 50).users).toEqual([]);
    expect(resolveMentions("@carol", [bob], 50).users).toEqual([]);
  });
});

describe("RecentAuthors", () => {
  const chat = (seq: number, from: User): ChatFrame => ({
    type: "chat",
    room: "r",
    seq,
    id: `m${seq}`,
    from,
    text: "x",
    ts: 0,
    clientMsgId: `c${seq}`,
  });

  it("reads the store once, keeps chats noted meanwhile, and lists each author by their latest name, newest first", async () => {
    let loads = 0;
    let release: (chats: ChatFrame[]) => void = () => {};
    const authors = new RecentAuthors({
      size: 4,
      load: () => {
        loads++;
        return new Promise((resolve) => {
          release = resolve;
        });
      },
    });
    const pending = authors.load();
    authors.note(chat(4, { ...bob, name: "bobby" }));
    expect(authors.list()).toEqual([{ ...bob, name: "bobby" }]);
    release([chat(1, annLee), chat(2, bob), chat(3, ann)]);
    await pending;
    expect(authors.list()).toEqual([{ ...bob, name: "bobby" }, ann, annLee]);
    authors.note(chat(5, ann));
    authors.note(chat(5, bob));
    // The last 4 chats: 2 (bob), 3 (ann), 4 (bobby), 5 (ann); ann lee's fell out, bob is bobby now.
    expect(authors.list()).toEqual([ann, { ...bob, name: "bobby" }]);
    await authors.load();
    expect(loads).toBe(1);
  });

  it("tries the store again after a failed read", async () => {
    let fail = true;
    const authors = new RecentAuthors({
      load: async () => {
        if (fail) throw new Error("store down");
        return [chat(1, bob)];
      },
    });
    await expect(authors.load()).rejects.toThrow("store down");
    expect(authors.list()).toEqual([]);
    fail = false;
    await authors.load();
    expect(authors.list()).toEqual([bob]);
  });
});
