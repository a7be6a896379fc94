// Who a connection is, over real sockets: a host app's token under AUTH=jwt (its sub and name,
// sessions bound to the sub, `auth` refreshes, the close at exp + grace on a held clock), the admin
// key in `hello`, and what an anonymous server does with a token.
import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { greet } from "../../src/chat/connection/hello";
import { createChatDeps } from "../../src/chat/deps";
import { testConfig } from "../../src/config";
import { createJwtVerifier } from "../../src/security/jwt-verifier";
import { hashSecret, newSecret } from "../../src/security/secrets";
import { ServerClock } from "../support/fake-clock";
import { hsServerEnv, signToken } from "../support/host-tokens";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();
const GRACE_S = 30;

/** An AUTH=jwt server on a held clock; `nowS` is the clock in JWT seconds. */
async function jwtServerOnClock(): Promise<{ server: StartedServer; clock: ServerClock; nowS: () => number }> {
  const clock = new ServerClock();
  const server = await fixture.start(hsServerEnv({ JWT_EXPIRY_GRACE_S: String(GRACE_S) }), { timers: clock });
  return { server, clock, nowS: () => Math.floor(clock.now() / 1000) };
}

/** Opens a connection and says hello with `token`; resolves on `ready`. */
async function signIn(server: StartedServer, token: string, extra: { session?: string; name?: string } = {}) {
  const client = await TestClient.open(server.wsUrl, { token, ...extra });
  fixture.track(client);
  return client;
}

/** A ping answered: the connection is open and the server is handling its frames. */
async function stillOpen(client: TestClient): Promise<void> {
  const t = client.frames.length + 1;
  client.send({ type: "ping", t });
  await client.waitFor((frame) => frame.type === "pong" && frame.t === t);
}

/** Sends `frame` and waits for the next frame of `type` (or an error) after it. */
async function answerTo(client: TestClient, frame: Parameters<TestClient["send"]>[0]) {
  const from = client.frames.length;
  client.send(frame);
  return client.waitFor((candidate) => candidate.type === "authed" || candidate.type === "error", { from });
}

describe("AUTH=jwt: who the token says", () => {
  it("the user is the token's sub under the token's name; hello.name is ignored", async () => {
    const { server, nowS } = await jwtServerOnClock();
    const alice = await signIn(server, await signToken({ sub: "host-user-1", name: "Alice" }, { iat: nowS() }), { name: "mallory" });
    expect(alice.ready.you).toEqual({ id: "host-user-1", name: "Alice" });
    expect(alice.ready.admin).toBeUndefined();
    expect((await alice.join("lobby")).you).toEqual({ id: "host-user-1", name: "Alice" });
  });

  it("a token's name is checked like any name: one that mixes scripts is name_refused and close 4501", async () => {
    const { server, nowS } = await jwtServerOnClock();
    const client = await TestClient.connect(server.wsUrl);
    fixture.track(client);
    client.send({ type: "hello", protocol: 2, token: await signToken({ sub: "host-user-2", name: "pаypal" }, { iat: nowS() }) });
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.badRequest.code);
    expect(client.frames).toEqual([{ type: "error", code: "name_refused", message: expect.stringContaining("Cyrillic") }]);
  });

  it("two users whose tokens name them alike get the room's suffix rule", async () => {
    const { server, nowS } = await jwtServerOnClock();
    const first = await signIn(server, await signToken({ sub: "u-1", name: "alice" }, { iat: nowS() }));
    // A capital I for the l: a look-alike the skeleton maps to "alice".
    const second = await signIn(server, await signToken({ sub: "u-2", name: "aIice" }, { iat: nowS() }));
    expect((await first.join("lobby")).you.name).toBe("alice");
    expect((await second.join("lobby")).you.name).toBe("aIice (2)");
  });

  it("a session is reused only by the sub it was issued to", async () => {
    const { server, nowS } = await jwtServerOnClock();
    const alice = await signIn(server, await signToken({ sub: "alice-id", name: "alice" }, { iat: nowS() }));
    const session = alice.session as string;
    await alice.close();
    // bob presents alice's session: he stays bob, with a session of his own.
    const bob = await signIn(server, await signToken({ sub: "bob-id", name: "bob" }, { iat: nowS() }), { session });
    expect(bob.ready.you).toEqual({ id: "bob-id", name: "bob" });
    expect(bob.session).not.toBe(session);
    // alice comes back with her session and keeps it.
    const again = await signIn(server, await signToken({ sub: "alice-id", name: "alice" }, { iat: nowS() }), { session });
    expect(again.session).toBe(session);
    expect(again.ready.you).toEqual({ id: "alice-id", name: "alice" });
  });

  it("a user's memberships follow the sub into a new session", async () => {
    const { server, nowS } = await jwtServerOnClock();
    const first = await signIn(server, await signToken({ sub: "carol-id", name: "carol" }, { iat: nowS() }));
    await first.join("team");
    await first.close();
    const second = await signIn(server, await signToken({ sub: "carol-id", name: "carol" }, { iat: nowS() }));
    expect(second.ready.rooms.map((entry) => entry.room)).toEqual(["team"]);
  });

  it("a user named by the host app may not rename themself: forbidden", async () => {
    const { server, nowS } = await jwtServerOnClock();
    const alice = await signIn(server, await signToken({ sub: "alice-id", name: "alice" }, { iat: nowS() }));
    alice.send({ type: "rename", name: "someone-else" });
    expect(await alice.waitForType("error")).toMatchObject({ code: "forbidden" });
    expect(alice.isOpen).toBe(true);
  });
});

describe("AUTH=jwt: refresh and expiry", () => {
  it("an auth with a fresh token answers authed and keeps the connection past the first token's exp + grace", async () => {
    const { server, clock, nowS } = await jwtServerOnClock();
    const start = nowS();
    const alice = await signIn(server, await signToken({ sub: "alice-id", name: "alice" }, { iat: start, lifetimeS: 600 }));
    await clock.advance(500_000);
    const fresh = await signToken({ sub: "alice-id", name: "alice" }, { iat: nowS(), lifetimeS: 600 });
    expect(await answerTo(alice, { type: "auth", token: fresh })).toEqual({ type: "authed", exp: start + 1100 });
    // Past the first token's exp + grace: still open.
    await clock.advance((600 + GRACE_S - 500 + 1) * 1000);
    await stillOpen(alice);
    expect(alice.isOpen).toBe(true);
    // Past the fresh token's exp + grace: closed with 4401, after token_expired.
    await clock.advance((1100 + GRACE_S - (600 + GRACE_S + 1)) * 1000);
    expect((await alice.waitForClose()).code).toBe(CLOSE_CODES.tokenExpired.code);
    expect(alice.ofType("error")).toEqual([{ type: "error", code: "token_expired", message: expect.any(String) }]);
  });

  it("without a refresh the connection closes with 4401 at exp + grace, not a moment before; a bystander with a later token stays", async () => {
    const { server, clock, nowS } = await jwtServerOnClock();
    const start = nowS();
    const alice = await signIn(server, await signToken({ sub: "alice-id", name: "alice" }, { iat: start, lifetimeS: 300 }));
    const bystander = await signIn(server, await signToken({ sub: "bystander-id", name: "bystander" }, { iat: start, lifetimeS: 900 }));
    await clock.advance((300 + GRACE_S) * 1000 - 1);
    await stillOpen(alice);
    await clock.advance(1);
    const closed = await alice.waitForClose();
    expect(closed.code).toBe(CLOSE_CODES.tokenExpired.code);
    expect(alice.frames.at(-1)).toEqual({ type: "error", code: "token_expired", message: expect.any(String) });
    await stillOpen(bystander);
    expect(bystander.isOpen).toBe(true);
  });

  it("a refused refresh is an error and leaves the current token in force", async () => {
    const { server, nowS } = await jwtServerOnClock();
    const alice = await signIn(server, await signToken({ sub: "alice-id", name: "alice" }, { iat: nowS() }));
    const forged = await signToken({ sub: "alice-id" }, { iat: nowS(), key: new TextEncoder().encode("y".repeat(40)) });
    expect(await answerTo(alice, { type: "auth", token: forged })).toMatchObject({ type: "error", code: "token_invalid" });
    const expired = await signToken({ sub: "alice-id" }, { iat: nowS() - 1200 });
    expect(await answerTo(alice, { type: "auth", token: expired })).toMatchObject({ type: "error", code: "token_expired" });
    await stillOpen(alice);
    expect(alice.isOpen).toBe(true);
  });

  it("a refresh with another user's token is token_invalid and close 4401", async () => {
    const { server, nowS } = await jwtServerOnClock();
    const alice = await signIn(server, await signToken({ sub: "alice-id", name: "alice" }, { iat: nowS() }));
    const bobs = await signToken({ sub: "bob-id", name: "bob" }, { iat: nowS() });
    expect(await answerTo(alice, { type: "auth", token: bobs })).toMatchObject({ type: "error", code: "token_invalid" });
    expect((await alice.waitForClose()).code).toBe(CLOSE_CODES.tokenExpired.code);
  });

  it("the token's rooms claim rides on the identity (for the join and append path); an anonymous server does not read the token", async () => {
    const backend = new MemoryBackend({ nodeId: "n1" });
    const config = testConfig(hsServerEnv());
    if (config.auth.mode !== "jwt") throw new Error("not jwt");
    const deps = createChatDeps({ limits: config.limits, logger: console });
    const services = { deps, sessions: backend.sessions, memberships: backend.memberships, adminKey: backend.adminKey };
    const tokens = { verifier: createJwtVerifier(config.auth), expiryGraceMs: 30_000 };
    const token = await signToken({ sub: "dana-id", name: "dana", rooms: { team: "moderator" } });
    const greeting = await greet({ ...services, tokens }, { type: "hello", protocol: 2, token });
    if ("code" in greeting) throw new Error(greeting.message);
    expect(greeting.identity.claims?.rooms.team).toBe("moderator");
    expect(greeting.identity.claims?.rooms.lobby).toBeUndefined();
    // Anonymous: a token in hello is not even read.
    const anonymous = await greet(services, { type: "hello", protocol: 2, token });
    if ("code" in anonymous) throw new Error(anonymous.message);
    expect(anonymous.identity.claims).toBeUndefined();
    expect(anonymous.identity.userId).toMatch(/^u_/);
  });
});

describe("the admin key in hello", () => {
  async function serverWithAdminKey(env: Record<string, string> = {}) {
    const server = await fixture.start(env);
    const key = newSecret();
    await server.app.backend.adminKey.set(hashSecret(key));
    return { server, key };
  }

  it("the right key: ready.admin is true", async () => {
    const { server, key } = await serverWithAdminKey();
    const admin = await fixture.open({ name: "root", adminKey: key });
    expect(admin.ready.admin).toBe(true);
    expect(server.config.auth.mode).toBe("anonymous");
  });

  it("a wrong key: no admin, no error, a connection like any other", async () => {
    await serverWithAdminKey();
    const guesser = await fixture.open({ name: "guesser", adminKey: newSecret() });
    expect(guesser.ready.admin).toBeUndefined();
    expect(guesser.ofType("error")).toEqual([]);
    await guesser.join("lobby");
    expect(guesser.isOpen).toBe(true);
  });

  it("under AUTH=jwt the key works alongside the token", async () => {
    const { key } = await serverWithAdminKey(hsServerEnv());
    const admin = await fixture.open({ token: await signToken({ sub: "ops-1", name: "ops" }), adminKey: key });
    expect(admin.ready).toMatchObject({ admin: true, you: { id: "ops-1", name: "ops" } });
  });
});

describe("an anonymous server", () => {
  it("ignores a token in hello and answers auth with bad_request", async () => {
    await fixture.start();
    const token = await signToken({ sub: "host-user-1", name: "Alice" });
    const guest = await fixture.open({ name: "guest", token });
    expect(guest.ready.you).toEqual({ id: expect.stringMatching(/^u_/), name: "guest" });
    expect(await answerTo(guest, { type: "auth", token })).toMatchObject({ type: "error", code: "bad_request" });
    expect(guest.isOpen).toBe(true);
  });
});
