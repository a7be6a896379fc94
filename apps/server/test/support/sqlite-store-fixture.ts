import type { Actor } from "../../src/backend/access-state";
import type { AccessResult } from "../../src/backend/access-store";
import type { AppendResult, ChangeKind } from "../../src/backend/message-store";
import type { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";

/** The rooms the fixture fills (byte order and linguistic order differ), and the users it writes as. */
export const FIXTURE_ROOMS: readonly string[] = ["B-room", "a-room", "ä-room", "_z", "測試"];
export const FIXTURE_USERS = ["u_owner", "u_mod", "u_bob", "u_eve", "u_uni"] as const;
export const FIXTURE_SESSIONS = ["session-olga", "session-bob", "session-ünï"] as const;

/**
 * Fills a SQLite store, through the real SqliteBackend, with every kind of data a node keeps:
 * chats (with replies, mentions, CJK and emoji), edits, deletes, reactions on and off, moderation
 * (create, role, mute, unmute, ban by user and by address, unban, slow mode with its per-user
 * chats, lock and unlock, rename), invites (used, revoked) and passes, reports (open, resolved),
 * memberships with read markers and notify levels, sessions, the admin key hash and the address
 * secret. Room names are chosen so that binary and linguistic orders differ ("B" < "a" < "ä" in
 * bytes), and `chatsPerRoom` spreads the rows over many batches.
 */
export async function fillSqliteStore(
  backend: SqliteBackend,
  clock: { advance(ms: number): void },
  options: { rooms?: readonly string[]; chatsPerRoom?: number } = {},
): Promise<void> {
  const rooms = options.rooms ?? FIXTURE_ROOMS;
  const chatsPerRoom = options.chatsPerRoom ?? 12;
  const owner: Actor = { id: "u_owner", name: "olga" };
  const mod: Actor = { id: "u_mod", name: "moe" };
  const bob: Actor = { id: "u_bob", name: "bob" };
  const eve: Actor = { id: "u_eve", name: "eve", addressHash: "addr-eve" };
  const user = (actor: Actor) => ({ id: actor.id, name: actor.name });
  let sent = 0;
  const next = (prefix: string) => `${prefix}-${++sent}`;

  await backend.adminKey.set("admin-key-hash-of-the-test");
  await backend.addressSecret.set("address-secret-of-the-test");
  for (const [index, room] of rooms.entries()) {
    const append = async (actor: Actor, change: ChangeKind): Promise<number> => {
      const result = await backend.messages.append({ room, actor, clientMsgId: next(change.kind), ...change });
      if (!result.ok) throw new Error(`the fixture's ${change.kind} was refused: ${JSON.stringify(result)}`);
      return result.ack.seq;
    };
    const chats: number[] = [];
    ok(
      await backend.access.createRoom({
        room,
        actor: owner,
        clientMsgId: next("create"),
        private: index % 2 === 1,
        passHash: `pass-${room}`,
      }),
    );
    ok(
      await backend.access.createInvite({
        room,
        actor: owner,
        clientMsgId: next("invite"),
        codeHash: `mod-code-${room}`,
        role: "moderator",
      }),
    );
    ok(
      await backend.access.admit({
        room,
        actor: mod,
        credential: { kind: "invite", inviteHash: `mod-code-${room}`, newPassHash: `pass-moe-${room}` },
      }),
    );
    ok(
      await backend.access.createInvite({
        room,
        actor: owner,
        clientMsgId: next("invite"),
        codeHash: `code-${room}`,
        role: "member",
        maxUses: 3,
      }),
    );
    for (const member of [bob, eve]) {
      ok(
        await backend.access.admit({
          room,
          actor: member,
          credential: { kind: "invite", inviteHash: `code-${room}`, newPassHash: `pass-${member.id}-${room}` },
        }),
      );
    }
    const revoked = ok(
      await backend.access.createInvite({ room, actor: owner, clientMsgId: next("invite"), codeHash: `gone-${room}`, role: "member" }),
    );
    if (revoked && typeof revoked === "object" && "id" in revoked) {
      ok(await backend.access.revokeInvite({ room, actor: mod, clientMsgId: next("revoke"), invite: String(revoked.id) }));
    }
    for (const actor of [owner, mod, bob]) {
      ok(await backend.memberships.join(actor.id, room, { maxRooms: 100 }).then((outcome) => ({ ok: outcome === "joined" })));
    }
    for (let n = 1; n <= chatsPerRoom; n++) {
      const author = [owner, mod, bob][n % 3] ?? bob;
      const text = n % 4 === 0 ? `第${n}條消息 測試 🎉 in ${room}` : `message ${n} in ${room}`;
      chats.push(
        await append(author, {
          kind: "chat",
          text,
          ...(n > 2 && n % 5 === 0 ? { replyTo: chats[1] } : {}),
          ...(n % 3 === 0 ? { mentions: [user(bob)] } : {}),
          ...(n % 7 === 0 ? { mentionsRoom: true } : {}),
        }),
      );
      clock.advance(1_000);
    }
    const [latest = 0, before = 0, third = 0] = chats.slice(-3).reverse();
    // The newest chat is the author's of chat number chatsPerRoom: only its author may edit it.
    const latestAuthor = [owner, mod, bob][chatsPerRoom % 3] ?? bob;
    await append(latestAuthor, { kind: "edit", target: latest, text: `edited, mentioning @olga in ${room}`, mentions: [user(owner)] });
    await append(owner, { kind: "delete", target: before });
    await append(mod, { kind: "react", target: latest, emoji: "👍", on: true });
    await append(bob, { kind: "react", target: latest, emoji: "👍", on: true });
    await append(bob, { kind: "react", target: third, emoji: "❤️", on: true });
    await append(bob, { kind: "react", target: third, emoji: "❤️", on: false });
    await append(mod, { kind: "moderate", action: "mute", user: user(eve), durationMs: 60_000 });
    await append(mod, { kind: "moderate", action: "unmute", user: user(eve) });
    await append(mod, { kind: "moderate", action: "ban", user: user(eve), address: true, durationMs: 3_600_000 });
    if (index % 2 === 0) await append(mod, { kind: "moderate", action: "unban", user: user(eve) });
    await append(owner, { kind: "moderate", action: "role", user: user(bob), role: "moderator" });
    await append(owner, { kind: "moderate", action: "role", user: user(bob), role: "member" });
    await append(mod, { kind: "moderate", action: "rename", user: user(bob), name: `bobby-${index}` });
    await append(mod, { kind: "moderate", action: "lock", locked: true });
    await append(mod, { kind: "moderate", action: "lock", locked: false });
    await append(mod, { kind: "moderate", action: "slow-mode", intervalMs: 30_000 });
    await append(bob, { kind: "chat", text: `slow chat in ${room}` });
    const report = ok(
      await backend.access.report({ room, actor: bob, clientMsgId: next("report"), target: chats[0] ?? 0, reason: "spam" }),
    );
    ok(await backend.access.report({ room, actor: bob, clientMsgId: next("report"), target: chats[1] ?? 0, reason: "rude" }));
    if (report && typeof report === "object" && "id" in report) {
      ok(await backend.access.resolveReport({ room, actor: mod, clientMsgId: next("resolve"), report: String(report.id) }));
    }
    await backend.memberships.markRead(bob.id, room, Math.floor(latest / 2));
    await backend.memberships.markRead(owner.id, room, latest);
    await backend.memberships.setNotify(mod.id, room, index % 2 === 0 ? "all" : "none");
  }
  // A membership of a room that has no events (joined while empty): rooms gets no row for it.
  await backend.memberships.join(bob.id, "empty-room", { maxRooms: 100 });
  for (const [token, actor] of [
    ["session-olga", owner],
    ["session-bob", bob],
    ["session-ünï", { id: "u_uni", name: "ünï 名前" }],
  ] as const) {
    await backend.sessions.save(token, { userId: actor.id, name: actor.name });
  }
}

/** The value of a successful store call; throws (failing the test's setup) on a refusal. */
function ok<T>(result: AccessResult<T> | AppendResult | { ok: boolean }): T | undefined {
  if (!result.ok) throw new Error(`the fixture's step was refused: ${JSON.stringify(result)}`);
  return "value" in result ? (result.value as T) : undefined;
}
