// The host admin API on the real path: each action is one store append as the server admin, and
// its event goes through the room like any moderation: members see it in order, a kicked or banned
// user leaves at once (on every node of a cluster), and the store's rank and last-owner rules hold.
import type { ServerFrameOf } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { newSecret } from "../../src/security/secrets";
import { expectBystanderUnharmed, joinBystander } from "../hostile/support/bystander";
import { ackOf, createRoom, joinWith, leftOf } from "../support/access-frames";
import { type StartedServer, startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";
import { useClusterNodes } from "../support/use-cluster-nodes";

const cleanup = useCleanup();
const TOKEN = newSecret();
const ADMIN = { id: "admin", name: "admin" };

function adminCall(server: StartedServer) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

function moderationAt(client: TestClient, room: string, seq: number): Promise<ServerFrameOf<"moderation">> {
  return client.waitFor((f): f is ServerFrameOf<"moderation"> => f.type === "moderation" && f.room === room && f.seq === seq);
}

describe("/api/admin on the store", () => {
  it("deletes, sets a role and kicks as the admin; every member sees each event; the last owner stays", async () => {
    const server = cleanup.track(await startServer({ ADMIN_API_TOKEN: TOKEN }));
    const call = adminCall(server);
    const room = "team";
    const owner = cleanup.track(await TestClient.open(server.wsUrl, { name: "olga" }));
    const { key } = await createRoom(owner, room, { private: false });
    await joinWith(owner, room, { key });
    const bob = cleanup.track(await TestClient.open(server.wsUrl, { name: "bob" }));
    await joinWith(bob, room);
    const watcher = cleanup.track(await joinBystander(server.wsUrl, room));
    const spam = await ackOf(bob, { type: "chat", room, text: "buy now", clientMsgId: "spam-1" });
    const bobId = bob.ready.you.id;

    const deleted = await call("DELETE", `/api/admin/rooms/${room}/messages/${spam}`);
    expect(deleted.status).toBe(200);
    const deleteSeq = deleted.body.seq as number;
    const deletion = await watcher.waitFor((f): f is ServerFrameOf<"delete"> => f.type === "delete" && f.seq === deleteSeq);
    expect(deletion).toMatchObject({ target: spam, by: ADMIN });

    const role = await call("POST", `/api/admin/rooms/${room}/role`, { user: bobId, role: "moderator" });
    expect(role.status).toBe(200);
    expect(await moderationAt(bob, room, role.body.seq as number)).toMatchObject({
      action: "role",
      role: "moderator",
      user: { id: bobId, name: "bob" },
      by: ADMIN,
    });

    const kicked = await call("POST", `/api/admin/rooms/${room}/kick`, { user: bobId });
    expect(kicked.status).toBe(200);
    expect(await leftOf(bob, room)).toMatchObject({ reason: "kicked", by: ADMIN });
    expect(await moderationAt(watcher, room, kicked.body.seq as number)).toMatchObject({ action: "kick", by: ADMIN });

    // The store's rules hold for the admin too: the room's only owner cannot be kicked, a missing message is not found.
    const lastOwner = await call("POST", `/api/admin/rooms/${room}/kick`, { user: owner.ready.you.id });
    expect(lastOwner).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    expect((await call("DELETE", `/api/admin/rooms/${room}/messages/9999`)).status).toBe(404);
    expect(owner.isOpen).toBe(true);
    await expectBystanderUnharmed(watcher);
  });
});

describe("/api/admin on two nodes", () => {
  const nodes = useClusterNodes<TestClient>({ database: "admin_api" });

  it("a ban through node A removes the user's connection on node B at once, and their rejoin is refused", async () => {
    const a = cleanup.track(await startServer({ ...nodes.env, ADMIN_API_TOKEN: TOKEN }));
    const b = cleanup.track(await startServer({ ...nodes.env, ADMIN_API_TOKEN: TOKEN }));
    const room = "lobby";
    const mallory = cleanup.track(await TestClient.open(b.wsUrl, { name: "mallory" }));
    await joinWith(mallory, room);
    const watcherA = cleanup.track(await joinBystander(a.wsUrl, room));
    const watcherB = cleanup.track(await joinBystander(b.wsUrl, room));

    const banned = await adminCall(a)("POST", `/api/admin/rooms/${room}/ban`, { user: mallory.ready.you.id, durationMs: 60_000 });
    expect(banned.status).toBe(200);
    expect(await leftOf(mallory, room)).toMatchObject({ reason: "banned", by: ADMIN });
    for (const watcher of [watcherA, watcherB]) {
      expect(await moderationAt(watcher, room, banned.body.seq as number)).toMatchObject({ action: "ban", user: { name: "mallory" } });
    }
    expect(await joinWith(mallory, room)).toMatchObject({ type: "error", code: "banned" });
    await expectBystanderUnharmed(watcherA);
    await expectBystanderUnharmed(watcherB);
  });
});
