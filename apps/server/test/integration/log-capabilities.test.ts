// No capability, JWT or admin key in any log line at any level: the real server process at
// LOG_LEVEL=trace sees each secret field of spec §2 sent the way a client sends it (inside a frame
// over a real WebSocket; in an Authorization header over HTTP), and its output holds none of them.
// Until the [4/6] frames land the server may answer some of these with bad_frame: the point is
// that whatever it does with them, it writes none of them down.
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { newSecret } from "../../src/security/secrets";
import { RawClient } from "../acceptance/raw-client";
import { hsServerEnv, signToken, TEST_JWT_SECRET, unsignedToken } from "../support/host-tokens";
import type { ServerProcess } from "../support/server-process";
import { useCleanup } from "../support/use-cleanup";
import { waitUntil } from "../support/wait-until";

const cleanup = useCleanup();

async function outputLines(server: ServerProcess): Promise<string[]> {
  expect(await server.kill("SIGTERM")).toEqual({ code: 0, signal: null });
  const { stdout, stderr } = server.output();
  return `${stdout}\n${stderr}`.split("\n");
}

/** Lines holding `secret` whole or any 12 characters of it. */
function linesWith(lines: string[], secret: string): string[] {
  const parts = Array.from({ length: secret.length - 11 }, (_, i) => secret.slice(i, i + 12));
  return lines.filter((line) => parts.some((part) => line.includes(part)));
}

describe.each(["production", "development"])("the server's output at LOG_LEVEL=trace (NODE_ENV=%s)", (nodeEnv) => {
  it("holds no pass, invite code, admin key, JWT or bearer token", { timeout: 60_000 }, async () => {
    const adminApiToken = newSecret();
    const server = await cleanup.spawnServer(
      await cleanup.serverEnv({ NODE_ENV: nodeEnv, LOG_LEVEL: "trace", ADMIN_API_TOKEN: adminApiToken }),
    );
    const jwt = await new SignJWT({ sub: "user-1", name: "alice" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(newSecret()));
    const secrets = { pass: newSecret(), invite: newSecret(), adminKey: newSecret(), jwt, refreshJwt: `${jwt}x`, adminApiToken };

    // A hello carrying a token and an admin key (refused or accepted, it is not logged).
    const first = cleanup.track(await RawClient.open(server.wsUrl));
    first.send({ type: "hello", protocol: 2, name: "alice", token: secrets.jwt, adminKey: secrets.adminKey });
    await first.waitFor((frame) => frame.type === "ready" || frame.type === "error");

    // A ready connection sending every client frame that carries a secret.
    const client = cleanup.track(await RawClient.ready(server.wsUrl, { name: "bob" }));
    const sent = [
      { type: "join", room: "team", key: secrets.pass },
      { type: "join", room: "club", invite: secrets.invite },
      { type: "auth", token: secrets.refreshJwt },
      { type: "create", room: "new-room", private: true, clientMsgId: "n-1" },
      { type: "invite", room: "team", role: "member", clientMsgId: "i-1" },
    ];
    for (const frame of sent) client.send(frame);
    // Answered in order: once the last frame's answer is in, the server has handled every one.
    await client.waitFor((frame) => frame.type === "error" && frame.clientMsgId === "i-1");

    // HTTP with bearer tokens: the admin API, metrics, the rooms API.
    for (const path of ["/api/admin/rooms/lobby/kick", "/metrics", "/api/rooms"]) {
      await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${secrets.adminApiToken}` } });
    }

    const lines = await outputLines(server);
    expect(lines.filter((line) => line.includes("/ws")).length).toBeGreaterThanOrEqual(2);
    for (const [name, secret] of Object.entries(secrets)) expect({ name, lines: linesWith(lines, secret) }).toEqual({ name, lines: [] });
  });

  it("under AUTH=jwt, holds no JWT, no JWT_SECRET, and the admin key only in the first-start admin link line", {
    timeout: 60_000,
  }, async () => {
    const server = await cleanup.spawnServer(await cleanup.serverEnv({ NODE_ENV: nodeEnv, LOG_LEVEL: "trace", ...hsServerEnv() }));
    // The admin link is printed once on stdout after the listen; the real key is in its fragment.
    const adminKey = await waitUntil(() => /#admin=([A-Za-z0-9_-]{43})/.exec(server.output().stdout)?.[1], { what: "the admin link" });
    const secrets = {
      adminKey,
      jwtSecret: TEST_JWT_SECRET,
      helloToken: await signToken({ sub: "alice-id", name: "alice", rooms: { team: "moderator" } }),
      refreshToken: await signToken({ sub: "alice-id", name: "alice" }, { iat: Math.floor(Date.now() / 1000) + 1 }),
      forgedRefresh: await signToken({ sub: "alice-id" }, { key: new TextEncoder().encode("z".repeat(40)) }),
      otherUsersToken: await signToken({ sub: "bob-id", name: "bob" }),
      expiredHello: await signToken({ sub: "carol-id" }, { iat: Math.floor(Date.now() / 1000) - 1200 }),
      unsignedHello: unsignedToken("mallory-id"),
    };

    // Signed in with the admin key: ready.admin; a refresh is authed, a forged one refused, a chat stored.
    const alice = cleanup.track(await RawClient.ready(server.wsUrl, { token: secrets.helloToken, adminKey: secrets.adminKey }));
    expect(alice.ready).toMatchObject({ admin: true, you: { id: "alice-id", name: "alice" } });
    alice.send({ type: "auth", token: secrets.refreshToken });
    await alice.waitFor((frame) => frame.type === "authed");
    alice.send({ type: "auth", token: secrets.forgedRefresh });
    await alice.waitFor((frame) => frame.type === "error" && frame.code === "token_invalid");
    await alice.join("team");
    alice.send({ type: "chat", room: "team", text: "hi", clientMsgId: "c-1" });
    await alice.waitFor((frame) => frame.type === "ack");
    // Another user's token in auth ends the connection.
    alice.send({ type: "auth", token: secrets.otherUsersToken });
    expect((await alice.closeWithin(10_000)).code).toBe(4401);

    // Refused at hello: expired, unsigned.
    for (const token of [secrets.expiredHello, secrets.unsignedHello]) {
      const refused = cleanup.track(await RawClient.open(server.wsUrl));
      refused.send({ type: "hello", protocol: 2, token });
      expect((await refused.closeWithin(10_000)).code).toBe(4401);
    }

    const lines = await outputLines(server);
    expect(lines.filter((line) => line.includes("/ws")).length).toBeGreaterThanOrEqual(3);
    const adminLinkLines = lines.filter((line) => line.startsWith("admin link: "));
    expect(adminLinkLines).toHaveLength(1);
    const logLines = lines.filter((line) => !line.startsWith("admin link: "));
    for (const [name, secret] of Object.entries(secrets)) expect({ name, lines: linesWith(logLines, secret) }).toEqual({ name, lines: [] });
  });
});
