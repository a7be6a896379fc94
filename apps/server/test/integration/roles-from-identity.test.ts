// Where a connection's standing comes from beyond the room's stored roles: the host app's token
// (`rooms` claim, AUTH=jwt) and the server admin key (hello.adminKey). Both reach the store as the
// actor's claimedRole / admin on join and on every append, so they admit to private rooms and act
// with their rank, checked in the same step that assigns the seq.
import { describe, expect, it } from "vitest";
import { hashSecret, newSecret } from "../../src/security/secrets";
import { ackOf, answerOf, createRoom, joinWith, leftOf } from "../support/access-frames";
import { hsServerEnv, signToken } from "../support/host-tokens";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();

describe("a host app's rooms claim", () => {
  it("admits to a private room with the claimed role, acts with it, and stays under an owner's rank", async () => {
    const server = await fixture.start(hsServerEnv());
    const signIn = async (sub: string, rooms?: Record<string, string>) => {
      const client = await TestClient.open(server.wsUrl, { token: await signToken({ sub, name: sub, ...(rooms ? { rooms } : {}) }) });
      fixture.track(client);
      return client;
    };
    const room = "team";
    const olga = await signIn("olga");
    const { key } = await createRoom(olga, room, { private: true });
    await joinWith(olga, room, { key });

    const dana = await signIn("dana", { team: "member" });
    expect(await joinWith(dana, room)).toMatchObject({ type: "joined", role: "member", private: true });
    const erin = await signIn("erin", { other: "owner" });
    expect(await joinWith(erin, room)).toMatchObject({ type: "error", code: "forbidden" });

    const frank = await signIn("frank", { team: "moderator" });
    expect(await joinWith(frank, room)).toMatchObject({ type: "joined", role: "moderator" });
    await ackOf(frank, { type: "moderate", room, clientMsgId: "kick-dana", action: "kick", user: "dana" });
    expect(await leftOf(dana, room)).toMatchObject({ reason: "kicked", by: { id: "frank" } });
    expect(await answerOf(frank, { type: "moderate", room, clientMsgId: "kick-olga", action: "kick", user: "olga" })).toMatchObject({
      type: "error",
      code: "forbidden",
    });
    expect(olga.isOpen).toBe(true);
  });
});

describe("the server admin key", () => {
  it("admits to any private room as admin and acts on its owner's messages; the last owner still stays", async () => {
    const server = await fixture.start();
    const adminKey = newSecret();
    await server.app.backend.adminKey.set(hashSecret(adminKey));
    const room = "vault";
    const olga = await fixture.open({ name: "olga" });
    const { key } = await createRoom(olga, room, { private: true });
    await joinWith(olga, room, { key });
    const said = await ackOf(olga, { type: "chat", room, text: "secret plans", clientMsgId: "plans" });

    const guesser = await fixture.open({ name: "guesser", adminKey: newSecret() });
    expect(await joinWith(guesser, room)).toMatchObject({ type: "error", code: "forbidden" });
    const root = await fixture.open({ name: "root", adminKey });
    expect(root.ready.admin).toBe(true);
    expect(await joinWith(root, room)).toMatchObject({ type: "joined", role: "admin", private: true });
    await ackOf(root, { type: "delete", room, target: said, clientMsgId: "purge" });
    expect(
      await answerOf(root, { type: "moderate", room, clientMsgId: "kick-owner", action: "kick", user: olga.ready.you.id }),
    ).toMatchObject({
      type: "error",
      code: "forbidden",
    });
  });
});
