import type { ChatFrame, User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import type { StoredEvent } from "../../src/backend/message-store";
import { changeOf, changesIn, chatOf } from "./append-helpers";
import type { BackendHarness } from "./backend-contract";

/** What the mentions suite needs from the enclosing backend contract (read per test). */
export interface MentionsContractContext {
  backend(): Backend;
  harness(): BackendHarness;
  persistent: boolean;
}

const alice: User = { id: "u_alice", name: "alice" };
const bob: User = { id: "u_bob", name: "bob" };
const carol: User = { id: "u_carol", name: "carol" };
// Shares a prefix with alice's id: a mention of alice must never count for this user.
const alicia: User = { id: "u_alice2", name: "alicia" };
const bound = { maxRooms: 50 };

/** A chat with mentions as the chat layer resolves them (mention-step.ts) and hands them over. */
function mentioning(users: User[], room = false) {
  return { ...(users.length > 0 ? { mentions: users } : {}), ...(room ? { mentionsRoom: true as const } : {}) };
}

/** The `(unread, unreadMentions)` of a user's membership of `room`, from `list` and from `membership`, which must agree. */
async function counts(backend: Backend, user: User, room = "r"): Promise<[number, number]> {
  const listed = (await backend.memberships.list(user.id)).find((entry) => entry.room === room);
  const one = await backend.memberships.membership(user.id, room);
  expect(one).toEqual(listed);
  if (!one) throw new Error(`${user.name} is not a member of ${room}`);
  return [one.unread, one.unreadMentions];
}

function chatsIn(events: StoredEvent[]): ChatFrame[] {
  return events.filter((event): event is ChatFrame => event.type === "chat");
}

/**
 * [5/6] mentions, unread mentions, notification levels and pages around a seq, registered inside
 * `describeBackendContract` so memory, SQLite (with a restart) and PostgreSQL all run them. The store
 * keeps what the chat layer resolved; what it must get right is keeping, replacing, purging and
 * counting it the same way everywhere.
 */
export function describeMentionsContract(context: MentionsContractContext): void {
  describe("mentions", () => {
    it("are kept with the chat and its edits, in every page, and go with a delete", async () => {
      const backend = context.backend();
      const r = changesIn(backend, "r");
      const live = chatOf(await r.append(bob, { kind: "chat", text: "@alice see @room", ...mentioning([alice], true) }));
      expect(live).toMatchObject({ mentions: [alice], mentionsRoom: true });
      const plain = await r.chat(bob, "nobody here");
      expect(plain.mentions).toBeUndefined();
      expect(plain.mentionsRoom).toBeUndefined();

      const upTo = await backend.messages.latestSeq("r");
      const everyPage = async (): Promise<ChatFrame[][]> => [
        (await backend.messages.latestChats("r", upTo, 10)).messages,
        chatsIn((await backend.messages.range("r", { after: 0, upTo, limit: 10 })).messages),
        (await backend.messages.before("r", upTo + 1, 10)).messages,
        chatsIn((await backend.messages.after("r", 0, upTo, 10)).messages),
        (await backend.messages.around("r", live.seq, upTo, 10)).messages,
      ];
      for (const page of await everyPage()) {
        expect(page.find((chat) => chat.seq === live.seq)).toMatchObject({ mentions: [alice], mentionsRoom: true });
        expect(page.find((chat) => chat.seq === plain.seq)).not.toHaveProperty("mentions");
      }

      // An edit's mentions replace the chat's: carol in, alice and @room out.
      const edit = changeOf(await r.append(bob, { kind: "edit", target: live.seq, text: "@carol see", ...mentioning([carol]) }));
      expect(edit).toMatchObject({ type: "edit", mentions: [carol] });
      expect(edit).not.toHaveProperty("mentionsRoom");
      const edited = await r.chatAt(live.seq);
      expect(edited).toMatchObject({ text: "@carol see", mentions: [carol] });
      expect(edited).not.toHaveProperty("mentionsRoom");
      // An edit that mentions nobody leaves the chat mentioning nobody.
      await r.edit(bob, live.seq, "see");
      expect(await r.chatAt(live.seq)).not.toHaveProperty("mentions");
      await r.append(bob, { kind: "edit", target: live.seq, text: "@alice again", ...mentioning([alice], true) });
      const events = await r.all();
      expect(events.find((event) => event.seq === edit.seq)).toMatchObject({ type: "edit", mentions: [carol] });

      await r.remove(bob, live.seq);
      const deleted = await r.chatAt(live.seq);
      expect(deleted?.deleted).toBeDefined();
      expect(deleted).not.toHaveProperty("mentions");
      expect(deleted).not.toHaveProperty("mentionsRoom");
      for (const event of await r.all()) {
        if (event.type === "edit" && event.target === live.seq) {
          expect(event).not.toHaveProperty("text");
          expect(event).not.toHaveProperty("mentions");
          expect(event).not.toHaveProperty("mentionsRoom");
        }
      }
    });

    it("@room from a non-staff author counts only in a room of at most the given members, decided in the append", async () => {
      const backend = context.backend();
      const r = changesIn(backend, "r");
      await backend.memberships.join(alice.id, "r", bound);
      await backend.memberships.join(bob.id, "r", bound);
      const small = chatOf(await r.append(bob, { kind: "chat", text: "@room", roomMentionMembersMax: 2 }));
      expect(small).toMatchObject({ mentionsRoom: true });
      await backend.memberships.join(carol.id, "r", bound);
      const large = chatOf(await r.append(bob, { kind: "chat", text: "@room @alice", mentions: [alice], roomMentionMembersMax: 2 }));
      expect(large).toMatchObject({ mentions: [alice] });
      expect(large).not.toHaveProperty("mentionsRoom");
      const edit = changeOf(await r.append(bob, { kind: "edit", target: small.seq, text: "@room!", roomMentionMembersMax: 2 }));
      expect(edit).not.toHaveProperty("mentionsRoom");
      expect(await r.chatAt(small.seq)).not.toHaveProperty("mentionsRoom");
      // Staff's (decided by the chat layer) counts at any size.
      expect(chatOf(await r.append(bob, { kind: "chat", text: "@room", mentionsRoom: true }))).toMatchObject({ mentionsRoom: true });
      expect(await counts(backend, alice)).toEqual([3, 2]);
    });

    it("keep the names they had when written: a later chat under a new name changes no stored mention", async () => {
      const backend = context.backend();
      const r = changesIn(backend, "r");
      const chat = chatOf(await r.append(bob, { kind: "chat", text: "@alice hi", ...mentioning([alice]) }));
      await r.chat({ ...alice, name: "alice2" }, "renamed");
      expect(await r.chatAt(chat.seq)).toMatchObject({ mentions: [{ id: alice.id, name: "alice" }] });
    });
  });

  describe("unread mentions", () => {
    it("count others' chats after the marker that mention you now, by name or @room, exactly", async () => {
      const backend = context.backend();
      for (const user of [alice, bob, alicia]) await backend.memberships.join(user.id, "r", bound);
      const r = changesIn(backend, "r");
      const named = chatOf(await r.append(bob, { kind: "chat", text: "@alice", ...mentioning([alice]) }));
      const plain = await r.chat(bob, "hello");
      const everyone = chatOf(await r.append(carol, { kind: "chat", text: "@room", ...mentioning([], true) }));
      // Your own chats never count, even when they mention you.
      await r.append(alice, { kind: "chat", text: "@alice @room note to self", ...mentioning([alice], true) });
      await r.append(carol, { kind: "chat", text: "@bob", ...mentioning([bob]) });
      await r.react(bob, named.seq, "👍");
      expect(await counts(backend, alice)).toEqual([4, 2]);
      // bob: carol's @room, alice's @room (hers, not his) and carol's @bob.
      expect(await counts(backend, bob)).toEqual([3, 3]);
      expect(await counts(backend, alicia)).toEqual([5, 2]);

      // Edits re-resolve: one adds alice, one takes her away.
      await r.append(bob, { kind: "edit", target: plain.seq, text: "hello @alice", ...mentioning([alice]) });
      await r.append(bob, { kind: "edit", target: named.seq, text: "@bob", ...mentioning([bob]) });
      expect(await counts(backend, alice)).toEqual([4, 2]);
      await r.append(bob, { kind: "edit", target: named.seq, text: "@alice @alice", ...mentioning([alice]) });
      expect(await counts(backend, alice)).toEqual([4, 3]);

      // A deleted chat counts for nothing.
      await r.remove(carol, everyone.seq);
      expect(await counts(backend, alice)).toEqual([3, 2]);
      expect(await counts(backend, alicia)).toEqual([4, 1]);

      // `upTo` stops the counts where a `joined` stops.
      const membership = await backend.memberships.membership(alice.id, "r", plain.seq);
      expect(membership).toMatchObject({ unread: 2, unreadMentions: 2, latestSeq: await backend.messages.latestSeq("r") });

      // The marker clears what it covers.
      await backend.memberships.markRead(alice.id, "r", plain.seq);
      expect(await counts(backend, alice)).toEqual([1, 0]);
      await r.append(bob, { kind: "chat", text: "@alice late", ...mentioning([alice]) });
      expect(await counts(backend, alice)).toEqual([2, 1]);
      expect(await backend.memberships.membership(carol.id, "r")).toBeUndefined();
    });
  });

  describe("notification levels and member counts", () => {
    it("start at mentions, are set only for members, and start over with a new membership", async () => {
      const backend = context.backend();
      expect(await backend.memberships.memberCount("r")).toBe(0);
      expect(await backend.memberships.setNotify(alice.id, "r", "all")).toBe(false);
      await backend.memberships.join(alice.id, "r", bound);
      await backend.memberships.join(bob.id, "r", bound);
      await backend.memberships.join(alice.id, "s", bound);
      expect(await backend.memberships.memberCount("r")).toBe(2);
      expect((await backend.memberships.membership(alice.id, "r"))?.notify).toBe("mentions");

      expect(await backend.memberships.setNotify(alice.id, "r", "none")).toBe(true);
      expect(await backend.memberships.setNotify(bob.id, "r", "all")).toBe(true);
      expect((await backend.memberships.list(alice.id)).map((entry) => [entry.room, entry.notify])).toEqual([
        ["r", "none"],
        ["s", "mentions"],
      ]);
      expect((await backend.memberships.membership(bob.id, "r"))?.notify).toBe("all");

      await backend.memberships.leave(alice.id, "r");
      expect(await backend.memberships.memberCount("r")).toBe(1);
      expect(await backend.memberships.setNotify(alice.id, "r", "all")).toBe(false);
      await backend.memberships.join(alice.id, "r", bound);
      expect((await backend.memberships.membership(alice.id, "r"))?.notify).toBe("mentions");
      expect(await backend.memberships.memberCount("r")).toBe(2);
    });

    it("a kick ends the membership on both sides: the count drops and a new membership starts at mentions", async () => {
      const backend = context.backend();
      const owner: User = { id: "u_olga", name: "olga" };
      const created = await backend.access.createRoom({ room: "k", actor: owner, clientMsgId: "create-k", private: false, passHash: "p" });
      expect(created.ok).toBe(true);
      for (const user of [owner, bob]) await backend.memberships.join(user.id, "k", bound);
      await backend.memberships.setNotify(bob.id, "k", "all");
      expect(await backend.memberships.memberCount("k")).toBe(2);
      const kicked = await backend.messages.append({
        room: "k",
        actor: owner,
        clientMsgId: "kick-bob",
        kind: "moderate",
        action: "kick",
        user: bob,
      });
      expect(kicked.ok).toBe(true);
      expect(await backend.memberships.memberCount("k")).toBe(1);
      expect(await backend.memberships.membership(bob.id, "k")).toBeUndefined();
      await backend.memberships.join(bob.id, "k", bound);
      expect((await backend.memberships.membership(bob.id, "k"))?.notify).toBe("mentions");
    });

    if (context.persistent) {
      it("levels, mentions and unread mentions survive a restart", async () => {
        const restart = context.harness().restart;
        if (!restart) throw new Error("a persistent backend's harness must provide restart()");
        let backend = context.backend();
        await backend.memberships.join(alice.id, "r", bound);
        await backend.memberships.setNotify(alice.id, "r", "all");
        const r = changesIn(backend, "r");
        const chat = chatOf(await r.append(bob, { kind: "chat", text: "@alice @room", ...mentioning([alice], true) }));
        const edited = chatOf(await r.append(bob, { kind: "chat", text: "x" }));
        await r.append(bob, { kind: "edit", target: edited.seq, text: "@alice x", ...mentioning([alice]) });

        backend = await restart();
        expect(await backend.memberships.membership(alice.id, "r")).toMatchObject({ notify: "all", unread: 2, unreadMentions: 2 });
        expect(await backend.memberships.memberCount("r")).toBe(1);
        const page = await backend.messages.before("r", 100, 10);
        expect(page.messages.find((m) => m.seq === chat.seq)).toMatchObject({ mentions: [alice], mentionsRoom: true });
        expect(page.messages.find((m) => m.seq === edited.seq)).toMatchObject({ mentions: [alice] });
      });
    }
  });

  describe("history around a seq", () => {
    /** 20 chats at seqs 1, 3, 5, ... 39, each followed by a reaction (an event that is not a chat). */
    async function room(backend: Backend): Promise<number[]> {
      const r = changesIn(backend, "a");
      const seqs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const chat = await r.chat(bob, `chat ${i}`);
        seqs.push(chat.seq);
        await r.react(alice, chat.seq, "👍");
      }
      return seqs;
    }
    const seqsOf = (messages: ChatFrame[]) => messages.map((message) => message.seq);

    it("holds the chat at the seq, the larger half before it, and says what lies on each side", async () => {
      const backend = context.backend();
      const seqs = await room(backend);
      const latest = await backend.messages.latestSeq("a");
      expect(latest).toBe(40);
      const middle = await backend.messages.around("a", 21, latest, 5);
      expect(seqsOf(middle.messages)).toEqual([17, 19, 21, 23, 25]);
      expect(middle).toMatchObject({ hasOlder: true, hasNewer: true });
      expect(middle.messages.every((chat) => chat.rev !== undefined)).toBe(true);
      // A seq that is not a chat's: the chats on either side of it.
      expect(seqsOf((await backend.messages.around("a", 22, latest, 4)).messages)).toEqual([19, 21, 23, 25]);
      // Near an end, the other side fills the page.
      const first = await backend.messages.around("a", 1, latest, 5);
      expect(seqsOf(first.messages)).toEqual(seqs.slice(0, 5));
      expect(first).toMatchObject({ hasOlder: false, hasNewer: true });
      const last = await backend.messages.around("a", 39, latest, 5);
      expect(seqsOf(last.messages)).toEqual(seqs.slice(-5));
      expect(last).toMatchObject({ hasOlder: true, hasNewer: false });
      const all = await backend.messages.around("a", 21, latest, 100);
      expect(seqsOf(all.messages)).toEqual(seqs);
      expect(all).toMatchObject({ hasOlder: false, hasNewer: false });
      expect(seqsOf((await backend.messages.around("a", 21, latest, 1)).messages)).toEqual([21]);
      expect(await backend.messages.around("empty", 5, 0, 10)).toEqual({ messages: [], hasOlder: false, hasNewer: false });
    });

    it("never reaches past upTo: a seq beyond it reads the newest chats up to it", async () => {
      const backend = context.backend();
      await room(backend);
      const capped = await backend.messages.around("a", 21, 24, 10);
      expect(seqsOf(capped.messages)).toEqual([5, 7, 9, 11, 13, 15, 17, 19, 21, 23]);
      expect(capped).toMatchObject({ hasOlder: true, hasNewer: false });
      const beyond = await backend.messages.around("a", 1_000, 10, 3);
      expect(seqsOf(beyond.messages)).toEqual([5, 7, 9]);
      expect(beyond).toMatchObject({ hasOlder: true, hasNewer: false });
    });
  });
}
