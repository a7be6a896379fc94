// No capability, JWT or admin key in any log line at any level: the real server process at
// LOG_LEVEL=trace sees each secret field of spec §2 sent the way a client sends it (inside a frame
// over a real WebSocket; in an Authorization header over HTTP), and its output holds none of them.
// Until the [4/6] frames land the server may answer some of these with bad_frame: the point is
// that whatever it does with them, it writes none of them down.
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { newSecret } from "../../src/security/secrets";
import { RawClient } from "../acceptance/raw-client";
import type { ServerProcess } from "../support/server-process";
import { useCleanup } from "../support/use-cleanup";

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
});
