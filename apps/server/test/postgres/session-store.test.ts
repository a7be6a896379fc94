import { beforeEach, describe, expect, it } from "vitest";
import { BackendClosedError } from "../../src/backend/backend-closed-error";
import { PgSessionStore } from "../../src/backend/postgres/session-store";
import { usePgNodes } from "../support/use-pg-nodes";

describe("PgSessionStore", () => {
  const nodes = usePgNodes("session_test");
  let now = 1_700_000_000_000;
  const clock = () => now;
  const storeOn = (node: 0 | 1) => new PgSessionStore({ pool: nodes.pools[node], now: clock });

  beforeEach(() => nodes.truncate("sessions"));

  const stored = async (token: string) =>
    (await nodes.pools[0].query("SELECT user_id, name, updated_at FROM sessions WHERE token = $1", [token])).rows;

  it("saves and reads a session; an unknown token reads as undefined", async () => {
    const store = storeOn(0);
    expect(await store.get("token-unknown")).toBeUndefined();
    await store.save("token-a", { userId: "u1", name: "alice" });
    await store.save("token-b", { userId: "u2", name: "bob" });
    expect(await store.get("token-a")).toEqual({ userId: "u1", name: "alice" });
    expect(await storeOn(1).get("token-b")).toEqual({ userId: "u2", name: "bob" });
  });

  it("a save of a known token replaces the name and updated_at, and keeps the user id (SQLite's rule)", async () => {
    await storeOn(0).save("token-a", { userId: "u1", name: "alice" });
    expect(await stored("token-a")).toEqual([{ user_id: "u1", name: "alice", updated_at: now }]);
    now += 60_000;
    await storeOn(1).save("token-a", { userId: "someone-else", name: "alicia" });
    expect(await stored("token-a")).toEqual([{ user_id: "u1", name: "alicia", updated_at: now }]);
    expect(await storeOn(0).get("token-a")).toEqual({ userId: "u1", name: "alicia" });
  });

  it("keeps every session: nothing is pruned however old", async () => {
    await storeOn(0).save("token-old", { userId: "u1", name: "alice" });
    now += 400 * 24 * 3_600_000;
    await storeOn(0).save("token-new", { userId: "u2", name: "bob" });
    expect(await storeOn(1).get("token-old")).toEqual({ userId: "u1", name: "alice" });
  });

  it("refuses every call once closed, with BackendClosedError", async () => {
    const closed = new PgSessionStore({ pool: nodes.pools[0], now: clock, isOpen: () => false });
    await expect(closed.save("token-late", { userId: "u1", name: "late" })).rejects.toThrow(BackendClosedError);
    await expect(closed.get("token-late")).rejects.toThrow(BackendClosedError);
    expect(await stored("token-late")).toEqual([]);
  });
});
