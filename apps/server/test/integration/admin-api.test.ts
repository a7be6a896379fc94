// The host app's admin API over real HTTP: the bearer token (compared in constant time) guards
// every route, bodies and paths are validated, and each action reaches HostAdminActions as the admin.
import { describe, expect, it } from "vitest";
import type { HostAdminActions, HostAdminResult } from "../../src/admin-api/host-admin-actions";
import { newSecret } from "../../src/security/secrets";
import { startServer } from "../support/start-server";
import { useCleanup } from "../support/use-cleanup";

const cleanup = useCleanup();
const TOKEN = newSecret();

/** Records every call and answers with `result`. */
function recordingActions(result: HostAdminResult = { ok: true, seq: 7 }) {
  const calls: Array<[string, unknown]> = [];
  const record =
    (name: string) =>
    async (request: unknown): Promise<HostAdminResult> => {
      calls.push([name, request]);
      return result;
    };
  const actions: HostAdminActions = {
    ban: record("ban"),
    unban: record("unban"),
    kick: record("kick"),
    setRole: record("setRole"),
    deleteMessage: record("deleteMessage"),
  };
  return { actions, calls };
}

async function start(result?: HostAdminResult, env: Record<string, string> = { ADMIN_API_TOKEN: TOKEN }) {
  const { actions, calls } = recordingActions(result);
  const server = cleanup.track(await startServer(env, { adminActions: actions }));
  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { call, calls, url: server.url };
}

const admin = { id: "admin", name: "admin" };

describe("/api/admin", () => {
  it("runs each action as the admin and answers the event's seq", async () => {
    const { call, calls } = await start();
    expect(await call("POST", "/api/admin/rooms/lobby/ban", { user: "u_x", durationMs: 60_000 })).toEqual({
      status: 200,
      body: { seq: 7 },
    });
    expect((await call("POST", "/api/admin/rooms/lobby/ban", { user: "u_y" })).status).toBe(200);
    expect((await call("POST", "/api/admin/rooms/lobby/unban", { user: "u_x" })).status).toBe(200);
    expect((await call("POST", "/api/admin/rooms/lobby/kick", { user: "u_x" })).status).toBe(200);
    expect((await call("POST", "/api/admin/rooms/team/role", { user: "u_x", role: "moderator" })).status).toBe(200);
    expect((await call("DELETE", "/api/admin/rooms/team/messages/43")).status).toBe(200);
    expect(calls).toEqual([
      ["ban", { room: "lobby", by: admin, user: "u_x", durationMs: 60_000 }],
      ["ban", { room: "lobby", by: admin, user: "u_y" }],
      ["unban", { room: "lobby", by: admin, user: "u_x" }],
      ["kick", { room: "lobby", by: admin, user: "u_x" }],
      ["setRole", { room: "team", by: admin, user: "u_x", role: "moderator" }],
      ["deleteMessage", { room: "team", by: admin, seq: 43 }],
    ]);
  });

  it.each([
    ["no Authorization header", null],
    ["a wrong token", newSecret()],
    ["the token cut short", TOKEN.slice(0, -1)],
    ["an empty token", ""],
  ])("refuses %s with 401 and calls nothing", async (_label, token) => {
    const { call, calls } = await start();
    for (const [method, path] of [
      ["POST", "/api/admin/rooms/lobby/kick"],
      ["DELETE", "/api/admin/rooms/lobby/messages/1"],
      ["GET", "/api/admin/anything"],
    ] as const) {
      const response = await call(method, path, method === "POST" ? { user: "u_x" } : undefined, token);
      expect(response).toMatchObject({ status: 401, body: { error: { code: "forbidden" } } });
    }
    expect(calls).toEqual([]);
  });

  it("refuses a Basic or lower-case scheme", async () => {
    const { calls, url } = await start();
    for (const authorization of [`Basic ${TOKEN}`, `bearer ${TOKEN}`, TOKEN, `Bearer  ${TOKEN}`]) {
      const response = await fetch(`${url}/api/admin/rooms/lobby/messages/1`, { method: "DELETE", headers: { authorization } });
      expect(response.status).toBe(401);
    }
    expect(calls).toEqual([]);
  });

  it.each([
    ["a bad room", "POST", "/api/admin/rooms/Bad%20Room/kick", { user: "u_x" }, "room"],
    ["no user", "POST", "/api/admin/rooms/lobby/kick", {}, "user"],
    ["an unknown field", "POST", "/api/admin/rooms/lobby/kick", { user: "u_x", reason: "spam" }, ""],
    ["a negative duration", "POST", "/api/admin/rooms/lobby/ban", { user: "u_x", durationMs: -1 }, "durationMs"],
    ["a fractional duration", "POST", "/api/admin/rooms/lobby/ban", { user: "u_x", durationMs: 1.5 }, "durationMs"],
    ["the admin role", "POST", "/api/admin/rooms/lobby/role", { user: "u_x", role: "admin" }, "role"],
    ["seq 0", "DELETE", "/api/admin/rooms/lobby/messages/0", undefined, "seq"],
    ["a seq that is not a number", "DELETE", "/api/admin/rooms/lobby/messages/abc", undefined, "seq"],
  ])("answers 400 bad_request for %s, naming the field, and calls nothing", async (_label, method, path, body, field) => {
    const { call, calls } = await start();
    const response = await call(method, path, body);
    expect(response).toMatchObject({ status: 400, body: { error: { code: "bad_request", message: expect.stringContaining(field) } } });
    expect(calls).toEqual([]);
  });

  it("answers an action's refusal with its code and a matching status", async () => {
    const { call } = await start({ ok: false, code: "forbidden", message: "the last owner cannot be banned" });
    expect(await call("POST", "/api/admin/rooms/team/ban", { user: "u_owner" })).toEqual({
      status: 403,
      body: { error: { code: "forbidden", message: "the last owner cannot be banned" } },
    });
  });

  it("answers an unknown admin path with 404 only behind the token", async () => {
    const { call } = await start();
    expect(await call("GET", "/api/admin/rooms")).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it("is absent without ADMIN_API_TOKEN (the actions on the store: admin-api-store.test.ts)", async () => {
    const off = cleanup.track(await startServer());
    expect((await fetch(`${off.url}/api/admin/rooms/lobby/kick`, { method: "POST" })).status).toBe(404);
  });
});
